# Installation and the CMake / pkg-config packages (issue 7). Included by the top-level
# CMakeLists.txt after every target exists, so that this one file holds the whole install story.
#
#   cmake --install build --prefix /opt/h2ws     # lib, headers, bin/h2ws, bin/h2ws-bench,
#                                                # lib/cmake/h2ws, lib/pkgconfig/h2ws.pc
# Consumers: find_package(h2ws CONFIG REQUIRED) + target_link_libraries(app PRIVATE h2ws::h2ws),
# or add_subdirectory(h2ws) (same target name), or pkg-config h2ws. tests/consumer checks all three.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Shared builds: an ABI tag, and installed tools that find libh2ws next to them.
set_target_properties(h2ws PROPERTIES VERSION ${PROJECT_VERSION}
                                      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(h2ws_tools "")
foreach(tool h2ws_cli h2ws_bench)
  if(TARGET ${tool})
    list(APPEND h2ws_tools ${tool})
    set_target_properties(${tool} PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  endif()
endforeach()

set(h2ws_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/h2ws)

# h2ws_codec is exported too: a static libh2ws links it (and nghttp2, OpenSSL, Boost.URL)
# as $<LINK_ONLY:...> dependencies that the consumer's link line needs.
install(TARGETS h2ws h2ws_codec EXPORT h2wsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/h2ws
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
if(h2ws_tools)
  install(TARGETS ${h2ws_tools} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT h2wsTargets NAMESPACE h2ws:: DESTINATION ${h2ws_cmake_dir})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/h2wsConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/h2wsConfig.cmake
                              INSTALL_DESTINATION ${h2ws_cmake_dir})
# 0.x: a minor release may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/h2wsConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/h2wsConfig.cmake ${PROJECT_BINARY_DIR}/h2wsConfigVersion.cmake
        DESTINATION ${h2ws_cmake_dir})

# pkg-config. The prefix is found relative to the .pc file, so `cmake --install --prefix DIR`
# (a prefix chosen after configuring) gives a working file.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(H2WS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(H2WS_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH h2ws_pc_up /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
  string(REGEX REPLACE "/$" "" h2ws_pc_up "${h2ws_pc_up}")
  set(H2WS_PC_PREFIX "\${pcfiledir}/${h2ws_pc_up}")
  set(H2WS_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(H2WS_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(H2WS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# Boost ships no .pc file: Boost.URL goes in Libs. A static libh2ws needs all of its
# dependencies on a plain `pkg-config --libs h2ws` line, a shared one only at --static.
set(h2ws_pc_deps "libnghttp2 openssl zlib")
set(h2ws_pc_dep_libs "-lh2ws_codec -lboost_url -pthread")
if(BUILD_SHARED_LIBS)
  set(H2WS_PC_REQUIRES "")
  set(H2WS_PC_REQUIRES_PRIVATE "${h2ws_pc_deps}")
  set(H2WS_PC_LIBS "-L\${libdir} -lh2ws")
  set(H2WS_PC_LIBS_PRIVATE "${h2ws_pc_dep_libs}")
else()
  set(H2WS_PC_REQUIRES "${h2ws_pc_deps}")
  set(H2WS_PC_REQUIRES_PRIVATE "")
  set(H2WS_PC_LIBS "-L\${libdir} -lh2ws ${h2ws_pc_dep_libs}")
  set(H2WS_PC_LIBS_PRIVATE "")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/h2ws.pc.in ${PROJECT_BINARY_DIR}/h2ws.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/h2ws.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
