# Build steps of xr_report beyond its sources (CMakeLists.txt includes this file).
# The paper's published numbers (data/paper/published.csv, the one copy) compiled
# into the library, so that an installed xr-report needs no data folder; CMake
# re-runs when the file changes.
set(xr_published_csv ${CMAKE_SOURCE_DIR}/data/paper/published.csv)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${xr_published_csv})
file(READ ${xr_published_csv} XR_PUBLISHED_CSV)
configure_file(${CMAKE_SOURCE_DIR}/lib/report/published_csv.inc.in
               ${CMAKE_BINARY_DIR}/generated/report/published_csv.inc @ONLY)
target_include_directories(xr_report PRIVATE ${CMAKE_BINARY_DIR}/generated/report)
