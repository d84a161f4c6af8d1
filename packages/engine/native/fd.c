/*
 * dup(2) for Node: lets a worker/event child's listener thread give a worker thread its own
 * descriptor of a connection, so the thread serves the socket directly (no bytes relayed
 * between threads) while the listener keeps the original open as the connection's lifeline.
 * Node-API only, so the built file does not depend on Node's ABI version.
 */
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <node_api.h>

static napi_value Dup(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_value out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "dup(fd): fd must be a non-negative integer");
    return NULL;
  }
  /* Close-on-exec, as every descriptor Node opens: an app that spawns must not leak it. */
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    napi_throw_error(env, "ERR_DUP", strerror(errno));
    return NULL;
  }
  napi_create_int32(env, copy, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "dup", NAPI_AUTO_LENGTH, Dup, NULL, &fn);
  napi_set_named_property(env, exports, "dup", fn);
  return exports;
}
