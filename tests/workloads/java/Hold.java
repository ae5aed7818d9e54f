// SPDX-License-Identifier: GPL-2.0
// Hold.java - a JVM that allocates N MiB of byte arrays (default 64),
// prints "ready", and holds them until its stdin has a line or ends: for
// explain on a JVM, checked against HotSpot's own Native Memory Tracking.
// Run as a single-file program: java tests/workloads/java/Hold.java N
public class Hold {
    public static void main(String[] a) throws Exception {
        int n = a.length > 0 ? Integer.parseInt(a[0]) : 64;
        byte[][] keep = new byte[n][];
        for (int i = 0; i < n; i++) { keep[i] = new byte[1 << 20]; keep[i][0] = 1; }
        System.out.println("ready");
        System.in.read();
        System.out.println(keep.length);
    }
}
