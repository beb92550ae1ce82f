# SPDX-License-Identifier: GPL-3.0-or-later
# AURALIS_SANITIZE=address,undefined (or thread) applies to the whole directory tree: per-target
# sanitizer flags break links between instrumented and plain objects.
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
