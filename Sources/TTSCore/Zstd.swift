/// A Zstandard decoder (RFC 8878), pure Swift, for the zstd-compressed entries of Inspect AI's
/// `.eval` logs. Frames without a dictionary; raw, RLE and compressed blocks; Huffman literals
/// (1 or 4 streams, treeless reuse), FSE sequences (predefined, RLE, compressed and repeat
/// modes); skippable frames are skipped and the content checksum is not verified.
///
///     let bytes = try Zstd.decompress(compressed)
public enum Zstd {
    public struct DecodeError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func decompress(_ input: [UInt8]) throws(DecodeError) -> [UInt8] {
        var out: [UInt8] = []
        var pos = 0
        while pos < input.count {
            guard pos + 4 <= input.count else { throw DecodeError(description: "zstd: truncated frame") }
            let magic = le(input, pos, 4)
            if magic & 0xFFFF_FFF0 == 0x184D_2A50 {  // skippable frame
                guard pos + 8 <= input.count else { throw DecodeError(description: "zstd: truncated skippable frame") }
                pos += 8 + le(input, pos + 4, 4)
                continue
            }
            guard magic == 0xFD2F_B528 else { throw DecodeError(description: "zstd: bad magic number") }
            var frame = Frame(input: input, pos: pos + 4)
            try frame.decode(into: &out)
            pos = frame.pos
        }
        return out
    }

    static func le(_ b: [UInt8], _ at: Int, _ n: Int) -> Int {
        var v = 0
        for i in 0..<n { v |= Int(b[at + i]) << (8 * i) }
        return v
    }

    static func highBit(_ v: Int) -> Int { Int.bitWidth - 1 - v.leadingZeroBitCount }

    // MARK: bit readers

    /// Reads a backward bitstream (zstd's Huffman and FSE streams): from the last byte's
    /// end-marker towards the first byte; bits past the start read as zeros.
    struct BackwardBits {
        let data: [UInt8]
        let start: Int
        var bitPos: Int  // bits left above `start * 8`

        init(_ data: [UInt8], start: Int, end: Int) throws(DecodeError) {
            guard end > start, data[end - 1] != 0 else { throw DecodeError(description: "zstd: bitstream without end marker") }
            self.data = data
            self.start = start
            bitPos = (end - 1 - start) * 8 + highBit(Int(data[end - 1]))
        }

        func peek(_ n: Int) -> Int {
            var v = 0
            let p = bitPos - n
            for i in 0..<n {
                let b = p + i
                if b >= 0 { v |= Int((data[start + (b >> 3)] >> UInt8(b & 7)) & 1) << i }
            }
            return v
        }

        mutating func read(_ n: Int) -> Int {
            if n == 0 { return 0 }
            let v = peek(n)
            bitPos -= n
            return v
        }

        var overflowed: Bool { bitPos < 0 }
        var finished: Bool { bitPos == 0 }
    }

    /// Reads forward, least significant bit first (FSE table descriptions).
    struct ForwardBits {
        let data: [UInt8]
        var bit: Int
        let end: Int
        func peek(_ n: Int) -> Int {
            var v = 0
            for i in 0..<n {
                let b = bit + i
                if b >> 3 < end { v |= Int((data[b >> 3] >> UInt8(b & 7)) & 1) << i }
            }
            return v
        }
        mutating func read(_ n: Int) -> Int {
            let v = peek(n)
            bit += n
            return v
        }
    }

    // MARK: FSE

    struct FSETable {
        var accuracyLog: Int
        var symbol: [Int]
        var nbBits: [Int]
        var baseline: [Int]

        init(normalized: [Int], accuracyLog: Int) {
            let size = 1 << accuracyLog
            self.accuracyLog = accuracyLog
            symbol = [Int](repeating: 0, count: size)
            nbBits = [Int](repeating: 0, count: size)
            baseline = [Int](repeating: 0, count: size)
            var high = size - 1
            for (s, n) in normalized.enumerated() where n == -1 {
                symbol[high] = s
                high -= 1
            }
            let step = (size >> 1) + (size >> 3) + 3
            var pos = 0
            for (s, n) in normalized.enumerated() where n > 0 {
                for _ in 0..<n {
                    symbol[pos] = s
                    repeat { pos = (pos + step) & (size - 1) } while pos > high
                }
            }
            var next = normalized.map { $0 == -1 ? 1 : $0 }
            for u in 0..<size {
                let s = symbol[u]
                let state = next[s]
                next[s] += 1
                let bits = accuracyLog - highBit(state)
                nbBits[u] = bits
                baseline[u] = (state << bits) - size
            }
        }

        /// One symbol: a table of a single symbol (RLE mode).
        init(rle s: Int) {
            accuracyLog = 0
            symbol = [s]
            nbBits = [0]
            baseline = [0]
        }

        /// Reads a table description at `pos`; returns the table and the bytes it took.
        static func read(_ data: [UInt8], at pos: Int, end: Int, maxSymbol: Int, maxLog: Int) throws(DecodeError) -> (FSETable, Int) {
            var r = ForwardBits(data: data, bit: pos * 8, end: end)
            let log = r.read(4) + 5
            guard log <= maxLog else { throw DecodeError(description: "zstd: FSE accuracy log \(log) too large") }
            var remaining = (1 << log) + 1
            var threshold = 1 << log
            var bits = log + 1
            var norm: [Int] = []
            var previousZero = false
            while remaining > 1 && norm.count <= maxSymbol {
                if previousZero {
                    var n = 0
                    while true {
                        let flag = r.read(2)
                        n += flag
                        if flag != 3 { break }
                    }
                    norm += [Int](repeating: 0, count: n)
                    guard norm.count <= maxSymbol + 1 else { throw DecodeError(description: "zstd: FSE table has too many symbols") }
                    if norm.count > maxSymbol { break }
                }
                let max = (2 * threshold - 1) - remaining
                var count: Int
                let low = r.peek(bits - 1)
                if low < max {
                    count = low
                    r.bit += bits - 1
                } else {
                    count = r.peek(bits)
                    if count >= threshold { count -= max }
                    r.bit += bits
                }
                count -= 1
                remaining -= abs(count)
                norm.append(count)
                previousZero = count == 0
                while remaining < threshold && bits > 1 {
                    bits -= 1
                    threshold >>= 1
                }
            }
            guard remaining == 1, norm.count <= maxSymbol + 1 else { throw DecodeError(description: "zstd: malformed FSE table") }
            return (FSETable(normalized: norm, accuracyLog: log), (r.bit + 7) / 8 - pos)
        }
    }

    struct FSEState {
        var state: Int
        init(_ table: FSETable, _ bits: inout BackwardBits) { state = bits.read(table.accuracyLog) }
        func symbol(_ table: FSETable) -> Int { table.symbol[state] }
        mutating func update(_ table: FSETable, _ bits: inout BackwardBits) {
            state = table.baseline[state] + bits.read(table.nbBits[state])
        }
    }

    // MARK: Huffman

    struct Huffman {
        var maxBits: Int
        var symbol: [UInt8]
        var length: [UInt8]

        static func read(_ data: [UInt8], at pos: Int, end: Int) throws(DecodeError) -> (Huffman, Int) {
            guard pos < end else { throw DecodeError(description: "zstd: truncated Huffman tree") }
            let header = Int(data[pos])
            var weights: [Int] = []
            let size: Int
            if header < 128 {
                size = 1 + header
                guard pos + size <= end else { throw DecodeError(description: "zstd: truncated Huffman weights") }
                let (table, used) = try FSETable.read(data, at: pos + 1, end: pos + size, maxSymbol: 255, maxLog: 6)
                var bits = try BackwardBits(data, start: pos + 1 + used, end: pos + size)
                var s1 = FSEState(table, &bits)
                var s2 = FSEState(table, &bits)
                while weights.count < 255 {
                    weights.append(s1.symbol(table))
                    s1.update(table, &bits)
                    if bits.overflowed { weights.append(s2.symbol(table)); break }
                    weights.append(s2.symbol(table))
                    s2.update(table, &bits)
                    if bits.overflowed { weights.append(s1.symbol(table)); break }
                }
            } else {
                let n = header - 127
                size = 1 + (n + 1) / 2
                guard pos + size <= end else { throw DecodeError(description: "zstd: truncated Huffman weights") }
                for i in 0..<n {
                    let b = Int(data[pos + 1 + i / 2])
                    weights.append(i % 2 == 0 ? b >> 4 : b & 15)
                }
            }
            var sum = 0
            for w in weights where w > 0 { sum += 1 << (w - 1) }
            guard sum > 0 else { throw DecodeError(description: "zstd: empty Huffman tree") }
            let maxBits = highBit(sum) + 1
            let rest = (1 << maxBits) - sum
            guard rest > 0, rest & (rest - 1) == 0, maxBits <= 11 else { throw DecodeError(description: "zstd: malformed Huffman weights") }
            weights.append(highBit(rest) + 1)
            var h = Huffman(maxBits: maxBits, symbol: [UInt8](repeating: 0, count: 1 << maxBits), length: [UInt8](repeating: 0, count: 1 << maxBits))
            var next = 0
            for w in 1...maxBits {
                for (s, weight) in weights.enumerated() where weight == w {
                    let n = 1 << (w - 1)
                    for i in next..<(next + n) {
                        h.symbol[i] = UInt8(s)
                        h.length[i] = UInt8(maxBits + 1 - w)
                    }
                    next += n
                }
            }
            return (h, size)
        }

        func decode(_ data: [UInt8], start: Int, end: Int, count: Int, into out: inout [UInt8]) throws(DecodeError) {
            var bits = try BackwardBits(data, start: start, end: end)
            for _ in 0..<count {
                let i = bits.peek(maxBits)
                out.append(symbol[i])
                bits.bitPos -= Int(length[i])
            }
            guard bits.finished else { throw DecodeError(description: "zstd: Huffman stream size mismatch") }
        }
    }

    // MARK: frames and blocks

    static let llBase = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512,
                         1024, 2048, 4096, 8192, 16384, 32768, 65536]
    static let llBits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    static let mlBase = (0..<32).map { $0 + 3 } + [35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195,
                                                   16387, 32771, 65539]
    static let mlBits = [Int](repeating: 0, count: 32) + [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    static let llDefault = FSETable(normalized: [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
                                                 -1, -1, -1, -1], accuracyLog: 6)
    static let mlDefault = FSETable(normalized: [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                                 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1], accuracyLog: 6)
    static let ofDefault = FSETable(normalized: [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1],
                                    accuracyLog: 5)

    struct Frame {
        let input: [UInt8]
        var pos: Int
        var huffman: Huffman?
        var ll: FSETable?
        var of: FSETable?
        var ml: FSETable?
        var rep = [1, 4, 8]

        init(input: [UInt8], pos: Int) {
            self.input = input
            self.pos = pos
        }

        mutating func decode(into out: inout [UInt8]) throws(DecodeError) {
            guard pos < input.count else { throw DecodeError(description: "zstd: truncated frame header") }
            let fhd = Int(input[pos])
            pos += 1
            let singleSegment = fhd & 0x20 != 0
            let checksum = fhd & 0x04 != 0
            guard fhd & 0x03 == 0 else { throw DecodeError(description: "zstd: frames with a dictionary are not supported") }
            if !singleSegment { pos += 1 }
            let fcsFlag = fhd >> 6
            pos += [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]
            let frameStart = out.count
            var last = false
            while !last {
                guard pos + 3 <= input.count else { throw DecodeError(description: "zstd: truncated block header") }
                let header = le(input, pos, 3)
                pos += 3
                last = header & 1 != 0
                let type = (header >> 1) & 3
                let size = header >> 3
                switch type {
                case 0:
                    guard pos + size <= input.count else { throw DecodeError(description: "zstd: truncated raw block") }
                    out += input[pos..<(pos + size)]
                    pos += size
                case 1:
                    guard pos < input.count else { throw DecodeError(description: "zstd: truncated RLE block") }
                    out += [UInt8](repeating: input[pos], count: size)
                    pos += 1
                case 2:
                    guard pos + size <= input.count else { throw DecodeError(description: "zstd: truncated compressed block") }
                    let end = pos + size
                    try compressedBlock(end: end, frameStart: frameStart, into: &out)
                    pos = end
                default:
                    throw DecodeError(description: "zstd: reserved block type")
                }
            }
            if checksum { pos += 4 }
        }

        mutating func compressedBlock(end: Int, frameStart: Int, into out: inout [UInt8]) throws(DecodeError) {
            // Literals section.
            let b0 = Int(input[pos])
            let litType = b0 & 3
            let sizeFormat = (b0 >> 2) & 3
            var literals: [UInt8] = []
            switch litType {
            case 0, 1:
                var regen: Int
                switch sizeFormat {
                case 0, 2: regen = b0 >> 3; pos += 1
                case 1: regen = (b0 >> 4) + (Int(input[pos + 1]) << 4); pos += 2
                default: regen = (b0 >> 4) + (Int(input[pos + 1]) << 4) + (Int(input[pos + 2]) << 12); pos += 3
                }
                if litType == 0 {
                    guard pos + regen <= end else { throw DecodeError(description: "zstd: truncated literals") }
                    literals = Array(input[pos..<(pos + regen)])
                    pos += regen
                } else {
                    literals = [UInt8](repeating: input[pos], count: regen)
                    pos += 1
                }
            default:
                let (headerSize, bits, streams) = [(3, 10, 1), (3, 10, 4), (4, 14, 4), (5, 18, 4)][sizeFormat]
                let h = le(input, pos, headerSize)
                let regen = (h >> 4) & ((1 << bits) - 1)
                let compressed = (h >> (4 + bits)) & ((1 << bits) - 1)
                pos += headerSize
                let litEnd = pos + compressed
                guard litEnd <= end else { throw DecodeError(description: "zstd: truncated Huffman literals") }
                var start = pos
                if litType == 2 {
                    let (tree, used) = try Huffman.read(input, at: pos, end: litEnd)
                    huffman = tree
                    start += used
                }
                guard let tree = huffman else { throw DecodeError(description: "zstd: treeless literals without a previous tree") }
                literals.reserveCapacity(regen)
                if streams == 1 {
                    try tree.decode(input, start: start, end: litEnd, count: regen, into: &literals)
                } else {
                    let s1 = le(input, start, 2), s2 = le(input, start + 2, 2), s3 = le(input, start + 4, 2)
                    var a = start + 6
                    let per = (regen + 3) / 4
                    for (i, size) in [s1, s2, s3, litEnd - start - 6 - s1 - s2 - s3].enumerated() {
                        guard size >= 0, a + size <= litEnd else { throw DecodeError(description: "zstd: bad Huffman jump table") }
                        try tree.decode(input, start: a, end: a + size, count: i < 3 ? per : regen - 3 * per, into: &literals)
                        a += size
                    }
                }
                pos = litEnd
            }

            // Sequences section.
            guard pos < end else { throw DecodeError(description: "zstd: truncated sequences") }
            var nbSeq = Int(input[pos])
            pos += 1
            if nbSeq >= 128 {
                if nbSeq == 255 {
                    nbSeq = le(input, pos, 2) + 0x7F00
                    pos += 2
                } else {
                    nbSeq = ((nbSeq - 128) << 8) + Int(input[pos])
                    pos += 1
                }
            }
            var lit = 0
            if nbSeq > 0 {
                let modes = Int(input[pos])
                pos += 1
                ll = try table(mode: modes >> 6, previous: ll, predefined: Zstd.llDefault, maxSymbol: 35, maxLog: 9, end: end)
                of = try table(mode: (modes >> 4) & 3, previous: of, predefined: Zstd.ofDefault, maxSymbol: 31, maxLog: 8, end: end)
                ml = try table(mode: (modes >> 2) & 3, previous: ml, predefined: Zstd.mlDefault, maxSymbol: 52, maxLog: 9, end: end)
                let llT = ll!, ofT = of!, mlT = ml!
                var bits = try BackwardBits(input, start: pos, end: end)
                var llS = FSEState(llT, &bits)
                var ofS = FSEState(ofT, &bits)
                var mlS = FSEState(mlT, &bits)
                for n in 0..<nbSeq {
                    let ofCode = ofS.symbol(ofT)
                    let mlCode = mlS.symbol(mlT)
                    let llCode = llS.symbol(llT)
                    guard ofCode <= 31, mlCode < Zstd.mlBase.count, llCode < Zstd.llBase.count else {
                        throw DecodeError(description: "zstd: bad sequence code")
                    }
                    let offsetValue = (1 << ofCode) + bits.read(ofCode)
                    let matchLength = Zstd.mlBase[mlCode] + bits.read(Zstd.mlBits[mlCode])
                    let literalLength = Zstd.llBase[llCode] + bits.read(Zstd.llBits[llCode])
                    var offset: Int
                    if offsetValue > 3 {
                        offset = offsetValue - 3
                        rep = [offset, rep[0], rep[1]]
                    } else {
                        let index = offsetValue - 1 + (literalLength == 0 ? 1 : 0)
                        switch index {
                        case 0: offset = rep[0]
                        case 1: offset = rep[1]; rep = [rep[1], rep[0], rep[2]]
                        case 2: offset = rep[2]; rep = [rep[2], rep[0], rep[1]]
                        default: offset = rep[0] - 1; rep = [offset, rep[0], rep[1]]
                        }
                    }
                    guard lit + literalLength <= literals.count else { throw DecodeError(description: "zstd: literal length past the literals") }
                    out += literals[lit..<(lit + literalLength)]
                    lit += literalLength
                    guard offset >= 1, offset <= out.count - frameStart else { throw DecodeError(description: "zstd: offset \(offset) before the frame") }
                    var from = out.count - offset
                    out.reserveCapacity(out.count + matchLength)
                    for _ in 0..<matchLength {
                        out.append(out[from])
                        from += 1
                    }
                    if n < nbSeq - 1 {
                        llS.update(llT, &bits)
                        mlS.update(mlT, &bits)
                        ofS.update(ofT, &bits)
                    }
                }
                guard bits.finished else { throw DecodeError(description: "zstd: sequence bitstream size mismatch") }
            }
            out += literals[lit...]
            pos = end
        }

        mutating func table(mode: Int, previous: FSETable?, predefined: FSETable, maxSymbol: Int, maxLog: Int, end: Int) throws(DecodeError) -> FSETable {
            switch mode {
            case 0: return predefined
            case 1:
                let s = Int(input[pos])
                pos += 1
                return FSETable(rle: s)
            case 2:
                let (t, used) = try FSETable.read(input, at: pos, end: end, maxSymbol: maxSymbol, maxLog: maxLog)
                pos += used
                return t
            default:
                guard let previous else { throw DecodeError(description: "zstd: repeat mode without a previous table") }
                return previous
            }
        }
    }
}
