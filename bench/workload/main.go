// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: workload getppid|orc|devnull|parallel N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n <= 0 {
		fmt.Fprintln(os.Stderr, "workload: N must be a positive integer")
		os.Exit(2)
	}
	runtime.LockOSThread()
	var start time.Time
	perOp := 1
	switch os.Args[1] {
	case "getppid":
		start = time.Now()
		for i := 0; i < n; i++ {
			syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		}
	case "orc":
		perOp = 3
		dir, err := os.MkdirTemp("", "workload")
		if err != nil {
			fmt.Fprintln(os.Stderr, "workload:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "small")
		if err := os.WriteFile(path, []byte("ferret benchmark file\n"), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "workload:", err)
			os.Exit(1)
		}
		p, _ := syscall.BytePtrFromString(path)
		var buf [64]byte
		start = time.Now()
		for i := 0; i < n; i++ {
			fd, _, e := syscall.RawSyscall6(syscall.SYS_OPENAT, uintptr(0xffffff9c), uintptr(unsafe.Pointer(p)), syscall.O_RDONLY, 0, 0, 0)
			if e != 0 {
				fmt.Fprintln(os.Stderr, "workload: open:", e)
				os.Exit(1)
			}
			syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
			syscall.RawSyscall(syscall.SYS_CLOSE, fd, 0, 0)
		}
	case "devnull":
		f, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "workload:", err)
			os.Exit(1)
		}
		b := []byte{'x'}
		fd := f.Fd()
		start = time.Now()
		for i := 0; i < n; i++ {
			syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[0])), 1)
		}
	case "parallel":
		perOp = 2
		var wg sync.WaitGroup
		start = time.Now()
		for k := 0; k < 2; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				for i := 0; i < n; i++ {
					syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
				}
			}()
		}
		wg.Wait()
	default:
		fmt.Fprintln(os.Stderr, "workload: unknown mode", os.Args[1])
		os.Exit(2)
	}
	el := time.Since(start)
	sys := n * perOp
	// Its own CPU time lets a wrapping tracer's CPU be told apart from the
	// workload's.
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	fmt.Printf("%s ops=%d syscalls=%d ns_per_op=%.1f ns_per_syscall=%.1f cpu_s=%.3f\n", os.Args[1], n, sys,
		float64(el.Nanoseconds())/float64(n), float64(el.Nanoseconds())/float64(sys), cpu)
}
