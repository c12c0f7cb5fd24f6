import TTSModels
import TTSStore

/// The cache table of a ttsbench database.
public struct StoreRequestCache: RequestCache {
    public let store: Store
    public init(store: Store) { self.store = store }

    public func lookup(_ keys: [String]) async throws -> [String: [UInt8]] {
        try await store.cachedResponses(keys)
    }

    public func store(_ entries: [(key: String, response: [UInt8])]) async throws {
        try await store.cacheResponses(entries)
    }
}
