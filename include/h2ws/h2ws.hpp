/// \file
/// The umbrella header: the whole public API of h2ws.
#pragma once

#include <h2ws/client.hpp>
#include <h2ws/close_code.hpp>
#include <h2ws/connect.hpp>
#include <h2ws/connection.hpp>
#include <h2ws/error.hpp>
#include <h2ws/handler_allocator.hpp>
#include <h2ws/http.hpp>
#include <h2ws/message.hpp>
#include <h2ws/options.hpp>
#include <h2ws/reconnecting_websocket.hpp>
#include <h2ws/server.hpp>
#include <h2ws/version.hpp>
#include <h2ws/websocket.hpp>
