#ifndef IOMKIT_CZEROMQ_SHIM_H
#define IOMKIT_CZEROMQ_SHIM_H
// Exposes libzmq to Swift. Draft API is not used: only libzmq 4.3 stable symbols.
#include <zmq.h>
#include <errno.h>
#endif
