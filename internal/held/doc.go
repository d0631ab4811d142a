// SPDX-License-Identifier: Apache-2.0

// Package held starts a command held before its first instruction: the
// child is ferret itself, re-run with a marker argument, which waits on a
// pipe and then calls execve on the command. A caller arms a kernel-side
// pid filter (or preloads its tables) between Start and Release, so that
// nothing the command does is missed, its first event being its execve.
//
// cmd/ferret calls Become first thing in main, on the main thread; every
// other user calls Start (or StartAs, to run the command as another user),
// Release, Wait and Abort.
//
// held is a leaf: it imports the standard library only.
package held
