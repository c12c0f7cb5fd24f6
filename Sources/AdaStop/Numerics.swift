// Low-level helpers: NumPy-compatible summation, binomials, the counter-based generator,
// selection, and the parallel loop.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

// MARK: - NumPy float64 summation (REFERENCE.md §11)

/// `np.sum` of `count` contiguous doubles, in NumPy's pairwise order, so that means match the
/// reference bit for bit: plain left-to-right below 8 elements, 8 accumulators up to 128,
/// recursive halving (at a multiple of 8) above.
@inline(__always)
func numpySum(_ p: UnsafePointer<Double>, _ count: Int) -> Double {
    if count < 8 {
        var res = 0.0
        var i = 0
        while i < count {
            res += p[i]
            i += 1
        }
        return res
    } else if count <= 128 {
        var r0 = p[0], r1 = p[1], r2 = p[2], r3 = p[3]
        var r4 = p[4], r5 = p[5], r6 = p[6], r7 = p[7]
        let end = count - (count % 8)
        var i = 8
        while i < end {
            r0 += p[i]; r1 += p[i + 1]; r2 += p[i + 2]; r3 += p[i + 3]
            r4 += p[i + 4]; r5 += p[i + 5]; r6 += p[i + 6]; r7 += p[i + 7]
            i += 8
        }
        var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < count {
            res += p[i]
            i += 1
        }
        return res
    } else {
        var half = count / 2
        half -= half % 8
        return numpySumLarge(p, half) + numpySumLarge(p + half, count - half)
    }
}

/// `numpySum` of `w[idx[0]], w[idx[1]], ...` (`count` terms) without gathering first.
@inline(__always)
func numpySumIndexed(_ w: UnsafePointer<Double>, _ idx: UnsafePointer<UInt16>, _ count: Int) -> Double {
    if count < 8 {
        var res = 0.0
        var i = 0
        while i < count {
            res += w[Int(idx[i])]
            i += 1
        }
        return res
    } else if count <= 128 {
        var r0 = w[Int(idx[0])], r1 = w[Int(idx[1])], r2 = w[Int(idx[2])], r3 = w[Int(idx[3])]
        var r4 = w[Int(idx[4])], r5 = w[Int(idx[5])], r6 = w[Int(idx[6])], r7 = w[Int(idx[7])]
        let end = count - (count % 8)
        var i = 8
        while i < end {
            r0 += w[Int(idx[i])]; r1 += w[Int(idx[i + 1])]; r2 += w[Int(idx[i + 2])]; r3 += w[Int(idx[i + 3])]
            r4 += w[Int(idx[i + 4])]; r5 += w[Int(idx[i + 5])]; r6 += w[Int(idx[i + 6])]; r7 += w[Int(idx[i + 7])]
            i += 8
        }
        var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < count {
            res += w[Int(idx[i])]
            i += 1
        }
        return res
    } else {
        var half = count / 2
        half -= half % 8
        return numpySumIndexedLarge(w, idx, half) + numpySumIndexedLarge(w, idx + half, count - half)
    }
}

@inline(never)
func numpySumIndexedLarge(_ w: UnsafePointer<Double>, _ idx: UnsafePointer<UInt16>, _ count: Int) -> Double {
    numpySumIndexed(w, idx, count)
}

@inline(never)
func numpySumLarge(_ p: UnsafePointer<Double>, _ count: Int) -> Double {
    numpySum(p, count)
}

/// `np.mean` of an array slice: NumPy pairwise sum divided by the count.
func numpyMean(_ values: ArraySlice<Double>) -> Double {
    precondition(!values.isEmpty)
    return values.withUnsafeBufferPointer { numpySum($0.baseAddress!, $0.count) } / Double(values.count)
}

// MARK: - Integer helpers

/// C(2n, n), saturating at Int.max.
func centralBinomial(_ n: Int) -> Int {
    // C(2n, n) = prod_{i=1..n} (n + i) / i, exact at every step.
    var c = 1
    var i = 1
    while i <= n {
        let (m, o) = c.multipliedReportingOverflow(by: n + i)
        if o {
            return Int.max
        }
        c = m / i
        i += 1
    }
    return c
}

/// base^exp, saturating at Int.max.
func saturatingPower(_ base: Int, _ exp: Int) -> Int {
    var r = 1
    for _ in 0..<exp {
        let (m, o) = r.multipliedReportingOverflow(by: base)
        if o {
            return Int.max
        }
        r = m
    }
    return r
}

/// Natural logarithm from the C library (used only for the reference's normalisation formula).
@inline(__always)
func naturalLog(_ x: Double) -> Double {
    log(x)
}

// MARK: - Counter-based random generator

@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// SplitMix64, started from a hash of (seed, interim, path index): each path's random split
/// depends only on these three numbers, never on which thread draws it or in which order.
struct SplitMix64 {
    var state: UInt64

    @inline(__always)
    init(seed: UInt64, interim: Int, index: Int) {
        let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
        var s = mix64(seed &+ golden)
        s = mix64(s ^ (UInt64(truncatingIfNeeded: interim) &* 0xD1B5_4A32_D192_ED03 &+ golden))
        s = mix64(s ^ (UInt64(truncatingIfNeeded: index) &* 0xA24B_AED4_963E_E407 &+ golden))
        state = s
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix64(state)
    }

    /// Uniform integer in 0..<bound (Lemire's method, unbiased).
    @inline(__always)
    mutating func next(below bound: UInt64) -> UInt64 {
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold {
                m = next().multipliedFullWidth(by: bound)
            }
        }
        return m.high
    }
}

// MARK: - Selection

/// The value of rank `k` (0-based, ascending) among `buf[0..<count]`; reorders `buf`.
/// Quickselect with median-of-three pivots, falling back to a full sort if it degenerates.
func selectRank(_ buf: UnsafeMutablePointer<Double>, count: Int, rank k: Int) -> Double {
    precondition(k >= 0 && k < count)
    var lo = 0
    var hi = count - 1
    var budget = 2 * (Int.bitWidth - count.leadingZeroBitCount) + 8
    while hi > lo {
        if hi - lo < 16 || budget == 0 {
            // Insertion sort for small ranges; full sort if quickselect went badly.
            var range = UnsafeMutableBufferPointer(start: buf + lo, count: hi - lo + 1)
            range.sort()
            return buf[k]
        }
        budget -= 1
        // Median of three.
        let mid = lo + (hi - lo) / 2
        if buf[mid] < buf[lo] { buf.swapAt(mid, lo) }
        if buf[hi] < buf[lo] { buf.swapAt(hi, lo) }
        if buf[hi] < buf[mid] { buf.swapAt(hi, mid) }
        let pivot = buf[mid]
        // Hoare partition.
        var i = lo
        var j = hi
        while i <= j {
            while buf[i] < pivot { i += 1 }
            while buf[j] > pivot { j -= 1 }
            if i <= j {
                buf.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if k <= j {
            hi = j
        } else if k >= i {
            lo = i
        } else {
            return buf[k]
        }
    }
    return buf[k]
}

extension UnsafeMutablePointer where Pointee == Double {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}

// MARK: - Parallel loop

/// Runs `body` over `0..<count` split into contiguous chunks, on up to `threads` threads when
/// `work` (an estimate of elementary operations) is at least `minWork`. Each index must be
/// computed independently of the others, so the result never depends on the thread count.
func parallelChunks(count: Int, threads: Int, work: Int, minWork: Int, _ body: (Range<Int>) -> Void) {
    if count <= 0 {
        return
    }
    let chunks = min(threads, count)
    if chunks <= 1 || work < minWork {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = count * c / chunks
            let end = count * (c + 1) / chunks
            if start < end {
                box.value(start..<end)
            }
        }
    }
}

/// Wraps a value whose concurrent use the caller has made safe (disjoint index ranges).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) {
        self.value = value
    }
}
