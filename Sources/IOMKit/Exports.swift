// `import IOMKit` is all a service writes. It brings:
// the domain types (Mission, PublicEvent, ProtectionCase, …),
@_exported import IOMDomain
// the change types every subscriber sees (CommittedChange, RecordChange, ChangeSequence),
@_exported import IOMChanges
// the bridge (BridgePublisher, BridgeSubscriber, Replica and their configurations),
@_exported import IOMBridge
// the security model (Principal, Purpose, Role, KeyRing, ClientAllowList, …),
@_exported import IOMSecurity
// the store's settings (StoreConfiguration: location, durability, retention),
@_exported import IOMStore
// and the CURVE keys the bridge's security settings take (CurveKeyPair, CurveKeyFile).
@_exported import ZeroMQ
