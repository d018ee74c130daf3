/// \file
/// The library's semantic version, as macros (usable in `#if`) and as constants.
///
/// \code
/// #if H2WS_VERSION >= 100  // 0.1.0 or later
/// #endif
/// \endcode
#pragma once

// The three numbers below are the only place the version is written in C++; CMake checks at
// configure time that they match project(VERSION) (cmake/version.cmake).

/// Major version: 0 while the API may still change between minor versions.
#define H2WS_VERSION_MAJOR 0
/// Minor version.
#define H2WS_VERSION_MINOR 1
/// Patch version.
#define H2WS_VERSION_PATCH 0
/// The version as one integer, major * 10000 + minor * 100 + patch (0.1.0 is 100).
#define H2WS_VERSION (H2WS_VERSION_MAJOR * 10000 + H2WS_VERSION_MINOR * 100 + H2WS_VERSION_PATCH)

/// \cond
#define H2WS_DETAIL_STRINGIZE2(x) #x
#define H2WS_DETAIL_STRINGIZE(x) H2WS_DETAIL_STRINGIZE2(x)
/// \endcond
/// "major.minor.patch" as a string literal.
#define H2WS_VERSION_STRING                 \
  H2WS_DETAIL_STRINGIZE(H2WS_VERSION_MAJOR) \
  "." H2WS_DETAIL_STRINGIZE(H2WS_VERSION_MINOR) "." H2WS_DETAIL_STRINGIZE(H2WS_VERSION_PATCH)

namespace h2ws {
/// Major version: 0 while the API may still change between minor versions.
inline constexpr int version_major = H2WS_VERSION_MAJOR;
/// Minor version.
inline constexpr int version_minor = H2WS_VERSION_MINOR;
/// Patch version.
inline constexpr int version_patch = H2WS_VERSION_PATCH;
/// "major.minor.patch", as `h2ws --version` prints it.
inline constexpr const char* version_string = H2WS_VERSION_STRING;
}  // namespace h2ws
