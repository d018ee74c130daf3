/// \file
/// H2WS_API: what a shared libh2ws exports.
#pragma once

/// \cond
#if defined(__GNUC__) || defined(__clang__)
#define H2WS_DETAIL_EXPORT __attribute__((visibility("default")))
#else
#define H2WS_DETAIL_EXPORT
#endif
/// \endcond

/// Marks the library's public non-template classes and functions. The library is built with
/// hidden symbols (`-fvisibility=hidden`): only what carries this mark is exported from a
/// shared libh2ws. Users need no setting for it, with a static or a shared library.
#define H2WS_API H2WS_DETAIL_EXPORT
