# sqlgate_add_module(<name> SOURCES ... [LIBS ...])
# Builds lib<name>.so into lib/sqlgate/. A module links only against the core
# library (sqlgate-core) and may include only server/include/sqlgate.
function(sqlgate_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${M_SOURCES})
  target_link_libraries(${name} PRIVATE sqlgate-core ${M_LIBS})
  set_target_properties(${name} PROPERTIES CXX_VISIBILITY_PRESET hidden PREFIX "lib")
  target_link_options(${name} PRIVATE -Wl,-z,defs)
  install(TARGETS ${name} LIBRARY DESTINATION lib/sqlgate)
endfunction()

# sqlgate_add_module_test(<module> SOURCES <test sources...> [MODULE_SOURCES ...])
# A GoogleTest binary for a module: the module's sources are compiled into it.
function(sqlgate_add_module_test name)
  if(NOT SQLGATE_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;MODULE_SOURCES;LIBS" ${ARGN})
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(${name}_test ${T_SOURCES} ${T_MODULE_SOURCES})
  target_link_libraries(${name}_test PRIVATE sqlgate-core GTest::gtest GTest::gtest_main ${T_LIBS})
  target_include_directories(${name}_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/test)
  set_target_properties(${name}_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/test)
  gtest_discover_tests(${name}_test PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60
    TEST_FILTER "-*.DISABLED_*")
endfunction()
