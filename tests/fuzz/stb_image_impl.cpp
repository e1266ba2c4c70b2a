// stb_image compiled into the fuzz build (instead of Debian's prebuilt libstb), so
// that its code is instrumented too: coverage feedback and ASan checks reach the
// decoders xr::decode_image hands non-PNG input to. Used by CMakeLists.txt's fuzz
// block only.
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
