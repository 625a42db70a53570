import IOMDomain

extension MemberState {
    var wire: Iom_V1_MemberState {
        var w = Iom_V1_MemberState()
        w.meta = wireMeta(self)
        w.alpha2 = country.alpha2
        w.alpha3 = country.alpha3
        w.numeric = UInt32(country.numeric)
        w.name = name.wire
        w.status = wireEnum(status)
        if let d = admittedOn { w.admittedOn = d.wire }
        return w
    }

    init(wire w: Iom_V1_MemberState) throws(ValidationError) {
        let p = "memberState"
        var v = Validator()
        let meta: (Identifier<MemberState>, UInt64, Instant, Instant)? = v.meta(w.meta, has: w.hasMeta, p)
        let country = v.country(w.alpha2, "\(p).alpha2")
        if let c = country {
            if !w.alpha3.isEmpty, w.alpha3.uppercased() != c.alpha3 { v.fail("\(p).alpha3", w.alpha3, "does not match alpha2 \(c.alpha2) (\(c.alpha3))") }
            if w.numeric != 0, w.numeric != UInt32(c.numeric) { v.fail("\(p).numeric", "\(w.numeric)", "does not match alpha2 \(c.alpha2) (\(c.numeric))") }
        }
        let name = v.text(w.name, "\(p).name")
        let status: MembershipStatus? = v.enumValue(w.status, "\(p).status")
        let admitted = v.optDate(w.admittedOn, has: w.hasAdmittedOn, "\(p).admittedOn")
        try v.finish()
        guard let meta, let country, let name, let status, let admitted else { throw undecodable(p) }
        try self.init(id: meta.0, version: meta.1, createdAt: meta.2, updatedAt: meta.3, country: country, name: name,
                      status: status, admittedOn: admitted)
    }
}
