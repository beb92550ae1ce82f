# SPDX-License-Identifier: GPL-3.0-or-later
# AURALIS_SANITIZE=address,undefined (or thread) applies to the whole directory tree: per-target
# sanitizer flags break links between instrumented and plain objects.
if(AURALIS_SANITIZE)
  message(STATUS "auralis: sanitizers ${AURALIS_SANITIZE}")
  add_compile_options(-fsanitize=${AURALIS_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AURALIS_SANITIZE})
endif()
