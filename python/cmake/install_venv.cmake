# SPDX-License-Identifier: GPL-3.0-or-later
# ctest step (tests/python/CMakeLists.txt): creates the virtual environment VENV with PYTHON (once),
# installs the build and test tools into it (once), then pip-installs the package SOURCE, built in
# BUILD_DIR (kept between runs, so an unchanged tree rebuilds in seconds) with JOBS compile jobs.
foreach(var PYTHON VENV SOURCE BUILD_DIR JOBS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_venv.cmake: ${var} is not set")
  endif()
endforeach()

function(run)
  string(JOIN " " text ${ARGN})
  message(STATUS "+ ${text}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${text}")
  endif()
endfunction()

string(TIMESTAMP start "%s")
if(NOT EXISTS ${VENV}/bin/python)
  run(${PYTHON} -m venv ${VENV})
endif()
# The tools (versions pinned from below only): installed once per environment.
set(tools "scikit-build-core>=0.10" "nanobind>=2.0" "numpy>=1.22" "pytest>=7")
set(stamp ${VENV}/auralis-tools.txt)
set(wanted "${tools}")
set(have "")
if(EXISTS ${stamp})
  file(READ ${stamp} have)
endif()
if(NOT have STREQUAL wanted)
  run(${VENV}/bin/python -m pip install --disable-pip-version-check -q ${tools})
  file(WRITE ${stamp} "${wanted}")
endif()
set(ENV{CMAKE_BUILD_PARALLEL_LEVEL} ${JOBS})
run(${VENV}/bin/python -m pip install --disable-pip-version-check -q --no-build-isolation
    --no-deps --force-reinstall ${SOURCE} --config-settings=build-dir=${BUILD_DIR})
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
message(STATUS "auralis_native installed into ${VENV} in ${seconds} s")
