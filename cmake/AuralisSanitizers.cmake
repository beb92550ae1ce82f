# SPDX-License-Identifier: GPL-3.0-or-later
# AURALIS_SANITIZE=address,undefined (or thread) applies to the whole directory tree: per-target
# sanitizer flags break links between instrumented and plain objects.
# AURALIS_BUILD_FUZZERS (clang only) adds libFuzzer's coverage instrumentation to the whole tree,
# the library included, and defaults the sanitizers to address,undefined (docs/fuzzing.md).
if(AURALIS_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AURALIS_BUILD_FUZZERS needs clang's libFuzzer: configure with "
                        "-DCMAKE_CXX_COMPILER=clang++-14 (scripts/fuzz.sh does)")
  endif()
  if(NOT AURALIS_SANITIZE)
    set(AURALIS_SANITIZE address,undefined)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(AURALIS_SANITIZE)
  message(STATUS "auralis: sanitizers ${AURALIS_SANITIZE}")
  add_compile_options(-fsanitize=${AURALIS_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AURALIS_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false -Wmaybe-uninitialized inside libstdc++ (std::function in <regex>)
    # once sanitizer instrumentation is added at -O2.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()
