# include/h2ws/version.hpp is hand-written so that the source tree is usable as is (the CLI,
# fuzzers and add_subdirectory all read it); its H2WS_VERSION_MAJOR/MINOR/PATCH must agree with
# project(VERSION). Checked at every configure.
file(STRINGS ${PROJECT_SOURCE_DIR}/include/h2ws/version.hpp h2ws_version_lines
     REGEX "^#define H2WS_VERSION_(MAJOR|MINOR|PATCH) ")
set(h2ws_header_version "")
foreach(part MAJOR MINOR PATCH)
  set(h2ws_version_number "")
  foreach(line IN LISTS h2ws_version_lines)
    if(line MATCHES "^#define H2WS_VERSION_${part} ([0-9]+)$")
      set(h2ws_version_number ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(h2ws_version_number STREQUAL "")
    message(FATAL_ERROR "include/h2ws/version.hpp: no '#define H2WS_VERSION_${part} <number>'")
  endif()
  list(APPEND h2ws_header_version ${h2ws_version_number})
endforeach()
list(JOIN h2ws_header_version "." h2ws_header_version)
if(NOT h2ws_header_version STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "include/h2ws/version.hpp says ${h2ws_header_version} but "
                      "project(VERSION) is ${PROJECT_VERSION}: update both together")
endif()
# Editing the header re-runs the check.
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/include/h2ws/version.hpp)
