# SPDX-License-Identifier: Apache-2.0
# freshet_add_module(NAME name SOURCES ... DEPS ... [PRIVATE_DEPS ...])
# Declares the library target freshet_<name>. DEPS lists the Freshet modules (and public third-party targets)
# it may use; anything not listed fails to link, which keeps the module DAG of DESIGN.md honest.
set(FRESHET_WARNINGS -Wall -Wextra -Wno-unused-parameter)

function(freshet_add_module)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(freshet_${ARG_NAME} STATIC ${ARG_SOURCES})
  target_include_directories(freshet_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(freshet_${ARG_NAME} PRIVATE ${FRESHET_WARNINGS})
  target_link_libraries(freshet_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# freshet_add_test(NAME name SOURCES ... DEPS ...)
# One GoogleTest binary per module, registered in CTest with the label `unit`.
function(freshet_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_compile_options(${ARG_NAME} PRIVATE ${FRESHET_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${ARG_NAME} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
