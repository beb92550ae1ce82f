# SPDX-License-Identifier: GPL-3.0-or-later
# Finds libebur128 (Debian's libebur128-dev ships only libebur128.pc, no CMake config).
# Defines Ebur128_FOUND, Ebur128_VERSION and the imported target Ebur128::ebur128.

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_Ebur128 QUIET libebur128)
endif()

find_path(Ebur128_INCLUDE_DIR ebur128.h HINTS ${PC_Ebur128_INCLUDEDIR} ${PC_Ebur128_INCLUDE_DIRS})
find_library(Ebur128_LIBRARY NAMES ebur128 HINTS ${PC_Ebur128_LIBDIR} ${PC_Ebur128_LIBRARY_DIRS})
set(Ebur128_VERSION ${PC_Ebur128_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Ebur128
  REQUIRED_VARS Ebur128_LIBRARY Ebur128_INCLUDE_DIR
  VERSION_VAR Ebur128_VERSION)

if(Ebur128_FOUND AND NOT TARGET Ebur128::ebur128)
  add_library(Ebur128::ebur128 UNKNOWN IMPORTED)
  set_target_properties(Ebur128::ebur128 PROPERTIES
    IMPORTED_LOCATION "${Ebur128_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Ebur128_INCLUDE_DIR}")
endif()
mark_as_advanced(Ebur128_INCLUDE_DIR Ebur128_LIBRARY)
