# SPDX-License-Identifier: GPL-3.0-or-later
# Finds FFTW3 (Debian's libfftw3-dev ships no CMake config).
# Components: double (libfftw3), float (libfftw3f). Imported targets FFTW3::fftw3, FFTW3::fftw3f.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_FFTW3 QUIET fftw3)
endif()

find_path(FFTW3_INCLUDE_DIR fftw3.h HINTS ${PC_FFTW3_INCLUDE_DIRS})
set(_fftw3_libs)
if(NOT FFTW3_FIND_COMPONENTS)
  set(FFTW3_FIND_COMPONENTS double)
endif()
foreach(comp IN LISTS FFTW3_FIND_COMPONENTS)
  if(comp STREQUAL "double")
    set(_name fftw3)
  elseif(comp STREQUAL "float")
    set(_name fftw3f)
  else()
    message(FATAL_ERROR "FindFFTW3: unknown component ${comp}")
  endif()
  find_library(FFTW3_${comp}_LIBRARY NAMES ${_name} HINTS ${PC_FFTW3_LIBRARY_DIRS})
  if(FFTW3_${comp}_LIBRARY AND FFTW3_INCLUDE_DIR)
    set(FFTW3_${comp}_FOUND TRUE)
    list(APPEND _fftw3_libs FFTW3_${comp}_LIBRARY)
    if(NOT TARGET FFTW3::${_name})
      add_library(FFTW3::${_name} UNKNOWN IMPORTED)
      set_target_properties(FFTW3::${_name} PROPERTIES
        IMPORTED_LOCATION "${FFTW3_${comp}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${FFTW3_INCLUDE_DIR}")
    endif()
  endif()
  mark_as_advanced(FFTW3_${comp}_LIBRARY)
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FFTW3
  REQUIRED_VARS FFTW3_INCLUDE_DIR
  VERSION_VAR PC_FFTW3_VERSION
  HANDLE_COMPONENTS)
mark_as_advanced(FFTW3_INCLUDE_DIR)
