# SPDX-License-Identifier: GPL-3.0-or-later
# auralis_set_warnings(target): the project's warning set, -Werror with AURALIS_WERROR.
function(auralis_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wnon-virtual-dtor -Wold-style-cast
      $<$<BOOL:${AURALIS_WERROR}>:-Werror>)
  endif()
endfunction()
