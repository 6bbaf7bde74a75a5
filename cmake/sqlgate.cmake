# sqlgate_add_module(<name> SOURCES ... [LIBS ...])
# Builds lib<name>.so into lib/sqlgate/. A module links only against the core's
# libraries (sqlgate-core, sqlgate-httpsql) and system packages, and may include
# only its own headers and server/include/sqlgate (checked below).
function(sqlgate_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${M_SOURCES})
  target_link_libraries(${name} PRIVATE sqlgate-core ${M_LIBS})
  set_target_properties(${name} PROPERTIES CXX_VISIBILITY_PRESET hidden PREFIX "lib")
  target_link_options(${name} PRIVATE -Wl,-z,defs)
  install(TARGETS ${name} LIBRARY DESTINATION lib/sqlgate)
  set_property(GLOBAL APPEND PROPERTY SQLGATE_MODULES ${name})
endfunction()

# sqlgate_add_module_test(<module> SOURCES <test sources...> [MODULE_SOURCES ...])
# A GoogleTest binary for a module: the module's sources are compiled into it, and it
# links the shared test helpers (test/mocks, library sqlgate-test-mocks).
function(sqlgate_add_module_test name)
  if(NOT SQLGATE_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;MODULE_SOURCES;LIBS" ${ARGN})
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(${name}_test ${T_SOURCES} ${T_MODULE_SOURCES})
  target_link_libraries(${name}_test PRIVATE sqlgate-core sqlgate-test-mocks GTest::gtest
    GTest::gtest_main ${T_LIBS})
  target_include_directories(${name}_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/test)
  # The byte fixtures under test/unit/fixtures (test/mocks/fixture.hh).
  target_compile_definitions(${name}_test PRIVATE SQLGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set_target_properties(${name}_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/test)
  gtest_discover_tests(${name}_test PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60
    TEST_FILTER "-*.DISABLED_*")
endfunction()

# The dependency rule, checked when the build is configured: a module links only the
# core's libraries (targets defined under server/, e.g. sqlgate-core, sqlgate-httpsql)
# and system packages (imported targets), never another module or a library of
# modules/; the only include directories it gets are its own folder and
# server/include. scripts/check-module-includes checks the #include lines themselves.
function(sqlgate_check_module_dependencies)
  get_property(modules GLOBAL PROPERTY SQLGATE_MODULES)
  # The daemon with every module: what scripts/check's sanitizer job builds.
  add_custom_target(sqlgate-daemon DEPENDS sqlgate ${modules})
  set(core_dir "${PROJECT_SOURCE_DIR}/server/")
  foreach(module ${modules})
    get_target_property(module_dir ${module} SOURCE_DIR)
    get_target_property(libs ${module} LINK_LIBRARIES)
    foreach(lib ${libs})
      if(NOT TARGET ${lib})
        continue()  # a plain library name or linker flag
      endif()
      get_target_property(imported ${lib} IMPORTED)
      if(imported)
        continue()
      endif()
      get_target_property(lib_dir ${lib} SOURCE_DIR)
      string(FIND "${lib_dir}/" "${core_dir}" at)
      if(NOT at EQUAL 0)
        message(FATAL_ERROR "module ${module} (${module_dir}) links ${lib} from ${lib_dir}: "
          "a module links only the core's libraries (server/)")
      endif()
      get_target_property(dirs ${lib} INTERFACE_INCLUDE_DIRECTORIES)
      foreach(dir ${dirs})
        if(dir AND NOT dir STREQUAL "${PROJECT_SOURCE_DIR}/server/include")
          message(FATAL_ERROR "module ${module} gets include directory ${dir} from ${lib}: "
            "modules see only server/include")
        endif()
      endforeach()
    endforeach()
    get_target_property(dirs ${module} INCLUDE_DIRECTORIES)
    foreach(dir ${dirs})
      if(dir)
        string(FIND "${dir}/" "${module_dir}/" own)
        if(NOT own EQUAL 0 AND NOT dir STREQUAL "${PROJECT_SOURCE_DIR}/server/include")
          message(FATAL_ERROR "module ${module} has include directory ${dir}: "
            "modules see only their own folder and server/include")
        endif()
      endif()
    endforeach()
  endforeach()
endfunction()
