// The man page and the shell completion of the CLI, generated from its own definition
// (the CLI11 app that parses the command line), so that they cannot drift from it.
#pragma once

#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace h2ws::cli {

/// A man page (troff, section 1) of `app` and its `serve` subcommand; `notes` is the help
/// footer (client behaviour, exit status), put in sections of their own.
std::string man_page(const CLI::App& app, std::string_view notes);

/// A bash completion script: options of the client and of `serve`, file names after options
/// that take a FILE.
std::string bash_completion(const CLI::App& app);

}  // namespace h2ws::cli
