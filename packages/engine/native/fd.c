/*
 * Descriptors for Node, Node-API only (the built file does not depend on Node's ABI version).
 *
 * dup(fd)               a worker/event listener gives a worker thread its own descriptor of a
 *                       connection, so the thread serves the socket directly while the listener
 *                       keeps the original open as the connection's lifeline.
 * socketPair()          the connection channel between the primary and one child: an AF_UNIX
 *                       SOCK_SEQPACKET pair, one message per connection (its id, its descriptor
 *                       as SCM_RIGHTS). Node's fork channel carries a handle as JSON plus an
 *                       acknowledgement round trip per handle; this carries 4 bytes.
 * sendConn(sock, fd, id)  0, or the errno (EAGAIN when the channel is full).
 * recvConns(sock, out)  takes waiting connections into out as [fd, id, fd, id, …]; returns how
 *                       many pairs (0 when none wait).
 * sendId(sock, id)      a message of 4 bytes, the id alone: a worker thread tells the primary a
 *                       connection it served has closed, on the same channel in the other
 *                       direction. 0, or the errno.
 * recvIds(sock, out)    takes waiting ids into out; returns how many (0 when none wait).
 * watch(fd, cb)         calls cb(status) on the caller's event loop whenever fd is readable;
 *                       does not keep the loop alive. Returns a token for unwatch(token). Marks
 *                       fd close-on-exec: a channel inherited at fork is not the application's
 *                       to pass on to processes it spawns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <node_api.h>
#include <uv.h>

#define THROW_ARGS(env, what) (napi_throw_type_error((env), "ERR_INVALID_ARG_TYPE", (what)), (napi_value)NULL)

static int int_arg(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok && *out >= 0;
}

static napi_value Dup(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_value out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || !int_arg(env, argv[0], &fd))
    return THROW_ARGS(env, "dup(fd): fd must be a non-negative integer");
  /* Close-on-exec, as every descriptor Node opens: an app that spawns must not leak it. */
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    napi_throw_error(env, "ERR_DUP", strerror(errno));
    return NULL;
  }
  napi_create_int32(env, copy, &out);
  return out;
}

static napi_value SocketPair(napi_env env, napi_callback_info info) {
  int sv[2];
  napi_value arr, a, b;
  /* Close-on-exec: the child's end reaches the child only as the stdio entry fork() maps. */
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0) {
    napi_throw_error(env, "ERR_SOCKETPAIR", strerror(errno));
    return NULL;
  }
  napi_create_array_with_length(env, 2, &arr);
  napi_create_int32(env, sv[0], &a);
  napi_create_int32(env, sv[1], &b);
  napi_set_element(env, arr, 0, a);
  napi_set_element(env, arr, 1, b);
  return arr;
}

/* One channel message: the connection's id as its 4 bytes, its descriptor as control data. */
static void message(struct msghdr *msg, struct iovec *iov, int32_t *id, char *control, size_t size) {
  memset(msg, 0, sizeof *msg);
  iov->iov_base = id;
  iov->iov_len = sizeof *id;
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = control;
  msg->msg_controllen = size;
}

/*
 * One channel message into *id: its length, or 0/-1 when none waits. *fd gets the first
 * descriptor that came with it (-1 if none); any more are closed, not ours to keep.
 */
static ssize_t recv_one(int sock, int32_t *id, int *fd) {
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int) * 4)]; } control;
  struct iovec iov;
  struct msghdr msg;
  message(&msg, &iov, id, control.buf, sizeof control.buf);
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  *fd = -1;
  if (n <= 0) return n;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int got;
      memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
      if (*fd < 0) *fd = got;
      else close(got);
    }
  }
  return n;
}

static napi_value SendConn(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  int32_t sock, fd, id;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || !int_arg(env, argv[0], &sock) ||
      !int_arg(env, argv[1], &fd) || napi_get_value_int32(env, argv[2], &id) != napi_ok)
    return THROW_ARGS(env, "sendConn(sock, fd, id): integers expected");
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
  memset(&control, 0, sizeof control);
  struct iovec iov;
  struct msghdr msg;
  message(&msg, &iov, &id, control.buf, sizeof control.buf);
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  napi_create_int32(env, n < 0 ? errno : 0, &out);
  return out;
}

/* (sock, Int32Array) arguments: false when they are not that. */
static int sock_and_array(napi_env env, napi_callback_info info, int32_t *sock, int32_t **data, size_t *length) {
  size_t argc = 2;
  napi_value argv[2];
  napi_typedarray_type type;
  *length = 0;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 2 && int_arg(env, argv[0], sock) &&
         napi_get_typedarray_info(env, argv[1], &type, length, (void **)data, NULL, NULL) == napi_ok && type == napi_int32_array;
}

static napi_value RecvConns(napi_env env, napi_callback_info info) {
  napi_value out;
  int32_t sock, *pairs;
  size_t length;
  if (!sock_and_array(env, info, &sock, &pairs, &length))
    return THROW_ARGS(env, "recvConns(sock, out): an integer and an Int32Array expected");
  size_t k = 0;
  while (k + 2 <= length) {
    int32_t id = 0;
    int fd;
    ssize_t n = recv_one(sock, &id, &fd);
    if (n <= 0) break;
    if (fd < 0 || n != sizeof id) {
      if (fd >= 0) close(fd);
      continue;
    }
    pairs[k++] = fd;
    pairs[k++] = id;
  }
  napi_create_uint32(env, (uint32_t)(k / 2), &out);
  return out;
}

static napi_value SendId(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  int32_t sock, id;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || !int_arg(env, argv[0], &sock) ||
      napi_get_value_int32(env, argv[1], &id) != napi_ok)
    return THROW_ARGS(env, "sendId(sock, id): integers expected");
  ssize_t n;
  do n = send(sock, &id, sizeof id, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  napi_create_int32(env, n < 0 ? errno : 0, &out);
  return out;
}

static napi_value RecvIds(napi_env env, napi_callback_info info) {
  napi_value out;
  int32_t sock, *ids;
  size_t length;
  if (!sock_and_array(env, info, &sock, &ids, &length))
    return THROW_ARGS(env, "recvIds(sock, out): an integer and an Int32Array expected");
  size_t k = 0;
  while (k < length) {
    int32_t id = 0;
    int fd;
    ssize_t n = recv_one(sock, &id, &fd);
    if (n <= 0) break;
    /* Ids carry no descriptor: one that came along is not ours to keep. */
    if (fd >= 0) close(fd);
    if (n == sizeof id) ids[k++] = id;
  }
  napi_create_uint32(env, (uint32_t)k, &out);
  return out;
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  napi_async_context context;
  int closed;     /* uv_close has completed */
  int token_gone; /* the token was collected: nothing can unwatch any more */
} Watch;

static void on_readable(uv_poll_t *poll, int status, int events) {
  Watch *w = (Watch *)poll;
  napi_handle_scope scope;
  napi_value cb, recv, arg, result;
  bool pending = false;
  (void)events;
  napi_open_handle_scope(w->env, &scope);
  napi_get_reference_value(w->env, w->cb, &cb);
  napi_get_global(w->env, &recv);
  napi_create_int32(w->env, status, &arg);
  napi_make_callback(w->env, w->context, recv, cb, 1, &arg, &result);
  /* A throw in the callback is the process's uncaught exception, as in any Node callback. */
  if (napi_is_exception_pending(w->env, &pending) == napi_ok && pending) {
    napi_value err;
    napi_get_and_clear_last_exception(w->env, &err);
    napi_fatal_exception(w->env, err);
  }
  napi_close_handle_scope(w->env, scope);
}

/* Freed once both the poll handle is closed and the token collected, whichever comes last. */
static void on_closed(uv_handle_t *handle) {
  Watch *w = (Watch *)handle;
  w->closed = 1;
  if (w->token_gone) free(w);
}

static void on_token_gone(napi_env env, void *data, void *hint) {
  Watch *w = data;
  (void)env;
  (void)hint;
  w->token_gone = 1;
  if (w->closed) free(w);
}

static napi_value WatchFd(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name, token;
  int32_t fd;
  napi_valuetype kind;
  uv_loop_t *loop;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || !int_arg(env, argv[0], &fd) ||
      napi_typeof(env, argv[1], &kind) != napi_ok || kind != napi_function)
    return THROW_ARGS(env, "watch(fd, cb): an integer and a function expected");
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, "ERR_WATCH", "no event loop");
    return NULL;
  }
  Watch *w = calloc(1, sizeof *w);
  if (!w) {
    napi_throw_error(env, "ERR_WATCH", "out of memory");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFD);
  if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  int err = uv_poll_init(loop, &w->poll, fd);
  if (err != 0) {
    free(w);
    napi_throw_error(env, "ERR_WATCH", uv_strerror(err));
    return NULL;
  }
  err = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (err != 0) {
    w->token_gone = 1;
    uv_close((uv_handle_t *)&w->poll, on_closed);
    napi_throw_error(env, "ERR_WATCH", uv_strerror(err));
    return NULL;
  }
  uv_unref((uv_handle_t *)&w->poll);
  w->env = env;
  napi_create_reference(env, argv[1], 1, &w->cb);
  napi_create_string_utf8(env, "FORKYARD_CONN_CHANNEL", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->context);
  napi_create_external(env, w, on_token_gone, NULL, &token);
  return token;
}

static napi_value Unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Watch *w = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], (void **)&w) != napi_ok || !w)
    return THROW_ARGS(env, "unwatch(token): a token from watch() expected");
  if (!w->cb) return NULL; /* already unwatched */
  napi_delete_reference(env, w->cb);
  w->cb = NULL;
  napi_async_destroy(env, w->context);
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_closed);
  return NULL;
}

NAPI_MODULE_INIT() {
  static const struct { const char *name; napi_callback fn; } table[] = {
    { "dup", Dup }, { "socketPair", SocketPair }, { "sendConn", SendConn },
    { "recvConns", RecvConns }, { "sendId", SendId }, { "recvIds", RecvIds },
    { "watch", WatchFd }, { "unwatch", Unwatch },
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    napi_value fn;
    napi_create_function(env, table[i].name, NAPI_AUTO_LENGTH, table[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, table[i].name, fn);
  }
  return exports;
}
