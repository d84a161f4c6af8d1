/**
 * A net.Socket around a descriptor known to be a connected TCP socket (a connection the
 * primary accepted, handed to a child on its channel or to a thread by the listener).
 * `new Socket({ fd })` first asks the kernel what the descriptor is (fstat, getsockopt,
 * getsockname, tcgetattr, ioctl: five system calls, paid on every connection); a TCP handle
 * opened on it directly skips them. Where Node's TCP binding
 * cannot be reached, the socket is built from the descriptor as usual.
 */

import { Socket } from 'node:net';

interface TcpHandle {
  open(fd: number): number;
  close(): void;
}

type TcpBinding = { TCP: new (type: number) => TcpHandle; constants: { SOCKET: number } };

function loadBinding(): TcpBinding | null {
  // process.binding is deprecated (DEP0111): where that deprecation is asked to warn, it is not used.
  if (process.execArgv.includes('--pending-deprecation') || /--pending-deprecation/.test(process.env.NODE_OPTIONS ?? '')) return null;
  try {
    const b = (process as unknown as { binding(name: string): TcpBinding }).binding('tcp_wrap');
    return typeof b.TCP === 'function' && typeof b.constants?.SOCKET === 'number' ? b : null;
  } catch {
    return null;
  }
}

const binding = loadBinding();

/** Whether sockets are built on a TCP handle opened directly (false: from the descriptor, as Node guesses it). */
export const directHandle = binding !== null;

export function tcpSocket(fd: number): Socket {
  if (binding) {
    const handle = new binding.TCP(binding.constants.SOCKET);
    if (handle.open(fd) === 0) return new Socket({ handle, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
    handle.close();
  }
  return new Socket({ fd, readable: true, writable: true });
}
