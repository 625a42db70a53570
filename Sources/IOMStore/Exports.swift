// The journal speaks the domain's words: a change's source and kind are IOMDomain's types, and
// `import IOMStore` brings them.
@_exported import struct IOMDomain.SourceID
@_exported import enum IOMDomain.ChangeKind

// The journal's data types live with the change they carry (IOMChanges), so that the bridge
// reads a journal without depending on the store; `import IOMStore` still brings them.
@_exported import struct IOMChanges.JournalEntry
@_exported import struct IOMChanges.StoredRecord
@_exported import struct IOMChanges.Snapshot
@_exported import struct IOMChanges.HeldSource
