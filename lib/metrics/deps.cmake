set(XR_AREA_DEPS xr_classify)
