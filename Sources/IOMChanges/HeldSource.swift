import Foundation
import IOMDomain

/// What a store holds of another source (a following node's copy of an upstream's journal).
package struct HeldSource: Sendable, Hashable {
    /// The original source.
    package var source: SourceID
    /// The oldest sequence held (1, unless the upstream's journal was pruned before the hub followed it).
    package var firstSequence: UInt64
    /// The last sequence held: every change of `source` up to it was committed here.
    package var lastSequence: UInt64
    /// The origin's commit time of the last change held.
    package var lastTime: Date
    /// When this store committed the last change held.
    package var committedAt: Date

    package init(source: SourceID, firstSequence: UInt64, lastSequence: UInt64, lastTime: Date, committedAt: Date) {
        self.source = source
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.lastTime = lastTime
        self.committedAt = committedAt
    }
}
