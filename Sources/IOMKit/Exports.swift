// `import IOMKit` is enough to use the domain types (Mission, PublicEvent, ProtectionCase, …).
@_exported import IOMDomain
// and the change types every subscriber sees (CommittedChange, RecordChange).
@_exported import IOMChanges
// and the bridge's configuration types (PublisherConfiguration, SubscriberConfiguration, …).
@_exported import IOMBridge
