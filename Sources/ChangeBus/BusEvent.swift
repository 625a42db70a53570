/// A value that can travel on a ``ChangeBus``.
///
/// The bus only needs two things from an event: the record type it concerns (its ``topic``)
/// and the kind of change (its ``kind``), so subscribers can filter on them cheaply.
///
/// ```swift
/// struct Change: BusEvent {
///     enum Topic: Hashable, Sendable { case mission, event }
///     enum Kind: Hashable, Sendable { case created, updated, deleted }
///     var topic: Topic
///     var kind: Kind
/// }
/// ```
@usableFromInline package protocol BusEvent: Sendable {
    /// What the change is about, usually the record type.
    associatedtype Topic: Hashable & Sendable
    /// What kind of change it is (created, updated, …).
    associatedtype Kind: Hashable & Sendable
    /// What the change is about.
    var topic: Topic { get }
    /// What kind of change it is.
    var kind: Kind { get }
}
