# SPDX-License-Identifier: GPL-3.0-or-later
# A buffer-only user: configures, builds and installs auralis with AURALIS_WITH_SNDFILE=OFF (as
# on a machine without libsndfile), checks what was installed, then builds and runs the
# find_package consumer against it.
# cmake -DSOURCE=<auralis> -DWORK=<dir> -DCOMPILER=<c++> -DGENERATOR=<gen> -P without_sndfile.cmake
foreach(var SOURCE WORK COMPILER GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "without_sndfile.cmake: ${var} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
set(build "${WORK}/build")
set(prefix "${WORK}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} -S "${SOURCE}" -B "${build}" -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${COMPILER} -DAURALIS_WITH_SNDFILE=OFF -DAURALIS_WERROR=ON)
run(${CMAKE_COMMAND} --build "${build}" -j 2)
run(${CMAKE_COMMAND} --install "${build}" --prefix "${prefix}")

file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
foreach(f IN LISTS installed)
  if(f MATCHES "/io/|^bin/|sndfile\\.h")
    message(FATAL_ERROR "a buffer-only install holds ${f}")
  endif()
endforeach()
file(STRINGS "${prefix}/include/auralis/config.hpp" flag REGEX "define AURALIS_HAS_AUDIO_FILES")
if(NOT flag MATCHES "AURALIS_HAS_AUDIO_FILES 0")
  message(FATAL_ERROR "config.hpp says: ${flag}")
endif()

run(${CMAKE_COMMAND} -S "${SOURCE}/tests/consumer" -B "${WORK}/consumer" -G "${GENERATOR}"
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${COMPILER} "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${WORK}/consumer")
run("${WORK}/consumer/consumer")
message(STATUS "buffer-only install: ${run_output}")
