/// \file
/// The library's semantic version.
#pragma once

namespace h2ws {
/// Major version: 0 while the API may still change between minor versions.
inline constexpr int version_major = 0;
/// Minor version.
inline constexpr int version_minor = 1;
/// Patch version.
inline constexpr int version_patch = 0;
/// "major.minor.patch", as `h2ws --version` prints it (CMake checks it matches project(VERSION)).
inline constexpr const char* version_string = "0.1.0";
}  // namespace h2ws
