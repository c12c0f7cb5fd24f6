/// Stable, platform-independent hashing and random draws.
///
/// Every random draw in ttsbench derives from a `StableHasher` fed with stable identifiers
/// (suite seed, model fingerprint, item id, seed index, temperature, sample index), never from
/// scheduling order or time, so straight, parallel and resumed runs produce the same numbers.
public struct StableHasher: Sendable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a offset basis

    public init() {}

    public init(_ parts: any StableHashable...) {
        for part in parts { part.feed(into: &self) }
    }

    @inline(__always)
    mutating func feedByte(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01b3
    }

    public mutating func combine(_ value: any StableHashable) {
        value.feed(into: &self)
    }

    public mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes { feedByte(byte) }
    }

    /// The hash, passed through a SplitMix64 finaliser so that nearby inputs give unrelated outputs.
    public func finalize() -> UInt64 { SplitMix64.mix(state) }
}

public protocol StableHashable {
    func feed(into hasher: inout StableHasher)
}

extension String: StableHashable {
    public func feed(into hasher: inout StableHasher) {
        hasher.combine(bytes: utf8)
        hasher.feedByte(0xff)  // separator: ("ab","c") != ("a","bc")
    }
}

extension UInt64: StableHashable {
    public func feed(into hasher: inout StableHasher) {
        var v = self
        for _ in 0..<8 { hasher.feedByte(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        hasher.feedByte(0xfe)
    }
}

extension Int: StableHashable {
    public func feed(into hasher: inout StableHasher) { UInt64(bitPattern: Int64(self)).feed(into: &hasher) }
}

extension Double: StableHashable {
    public func feed(into hasher: inout StableHasher) {
        // -0.0 and 0.0 are the same temperature.
        (self == 0 ? 0.0 : self).bitPattern.feed(into: &hasher)
    }
}

/// SplitMix64: a tiny, high-quality generator, seedable from a stable hash.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public init(_ parts: any StableHashable...) {
        var hasher = StableHasher()
        for part in parts { part.feed(into: &hasher) }
        state = hasher.finalize()
    }

    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal draw (Box-Muller; one value per call keeps draws independent of call pairing).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1.0p-60)
        let u2 = uniform()
        return (-2 * Self.log(u1)).squareRoot() * Self.cos(2 * Double.pi * u2)
    }

    // Thin wrappers so this file needs no Foundation import.
    @inline(__always) static func log(_ x: Double) -> Double { _log(x) }
    @inline(__always) static func cos(_ x: Double) -> Double { _cos(x) }
}
