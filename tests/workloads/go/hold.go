// SPDX-License-Identifier: GPL-2.0
// hold.go - a Go program holding 64 MiB of heap (1 MiB slices, each
// written through, so resident) and 16 parked goroutines, which prints
// what its runtime says it holds (runtime.MemStats) and waits for its
// stdin to close: explain's runtimes tier compares the two.
//
// The line: "heap B metadata B". heap: the arena bytes the runtime got from
// the OS and has not released (HeapSys - HeapReleased), with the goroutine
// stacks it keeps there (StackSys); metadata: everything else it mapped
// (spans, caches, profiling buckets, GC data, the rest), mapped but not
// necessarily resident.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

func main() {
	keep := make([][]byte, 0, 64)
	for i := 0; i < 64; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(i + j)
		}
		keep = append(keep, b)
	}
	done := make(chan struct{})
	for i := 0; i < 16; i++ {
		go func() { <-done }()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("heap %d metadata %d\n", ms.HeapSys-ms.HeapReleased+ms.StackSys,
		ms.MSpanSys+ms.MCacheSys+ms.BuckHashSys+ms.GCSys+ms.OtherSys)
	io.Copy(io.Discard, os.Stdin)
	close(done)
	runtime.KeepAlive(keep)
}
