// SPDX-License-Identifier: Apache-2.0

// Command scale measures how ferret's live capture grows with the machine:
// start-up time, CPU and peak resident size of `ferret -w FILE` beside a
// process holding N threads, one holding N open descriptors, and one
// making N getppid() calls a second; then a long capture with rotation
// while short processes are started at a fixed rate (the thread and fd
// tables must be pruned: the resident size stays flat and nothing is lost),
// and optionally a long rotating capture of the machine's own events. It
// prints markdown tables for bench/RESULTS.md. Run as root:
//
//	go run ./bench/scale -ferret ./ferret [-threads 0,2500,5000,10000]
//	    [-fds 0,10000,50000] [-rates 0,10000,100000,400000] [-rounds 3]
//	    [-window 5s] [-churn 10m] [-churn-rate 1000] [-rotate 0]
package main
