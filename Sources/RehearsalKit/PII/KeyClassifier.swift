/// What an object key says about its value: at a key that names a secret, a person's name, an
/// account, an email or a sensitive marker, the whole value is PII whatever it looks like.
enum KeyClassifier {
    /// Entries as written (`reviewer_email`) in the form `normalize` gives keys, so a list
    /// entry can always match.
    static func normalized(_ keys: [String]) -> Set<String> { Set(keys.map(normalize)) }

    /// The key lowercased with `_`, `-`, `.` and spaces removed (`X-Api-Key` → `xapikey`).
    static func normalize(_ key: String) -> String {
        String(key.lowercased().unicodeScalars.filter { !["_", "-", ".", " "].contains($0) })
    }

    static let secretKeys: Set<String> = Self.normalized([
        "password", "passwd", "pwd", "pass", "passphrase", "secret", "clientsecret", "apikey", "apisecret", "xapikey",
        "accesstoken", "refreshtoken", "idtoken", "authtoken", "token", "sessiontoken", "bearertoken", "authorization",
        "proxyauthorization", "privatekey", "secretkey", "credentials", "credential", "sessionid", "cookie", "setcookie",
        "accesskey", "secretaccesskey", "awssecretaccesskey", "signingkey", "webhooksecret", "otp", "pin", "cvv", "cvc",
    ])
    static let secretSuffixes = ["password", "secret", "apikey", "accesskey", "privatekey"]
    /// `…token` keys that are counts or settings, and the protocol and pagination tokens that
    /// correlate requests without granting anything (MCP's `progressToken`, `nextPageToken`).
    static let tokenSuffixExclusions = ["count", "usage", "limit", "max", "total", "budget", "used", "type", "kind", "expiry", "expiresat", "ttl",
                                        "progresstoken", "pagetoken", "continuationtoken", "synctoken", "resumetoken", "cursortoken"]

    static let nameKeys: Set<String> = Self.normalized([
        "displayname", "fullname", "firstname", "lastname", "givenname", "familyname", "middlename", "surname",
        "personname", "customername", "contactname", "holdername", "accountholder", "accountholdername", "cardholder",
        "cardholdername", "beneficiaryname", "ownername", "reviewername", "approvername", "authorname", "sendername",
        "recipientname", "patientname", "employeename", "applicantname", "legalname", "maidenname", "nickname",
    ])
    /// Keys that name a person wherever they appear inside the key (`first_name_last_name`, `reviewerFullName`).
    static let nameParts = ["firstname", "lastname", "fullname", "displayname", "givenname", "familyname", "surname", "middlename"]
    static let accountKeys: Set<String> = Self.normalized([
        "accountnumber", "accountno", "accountnum", "acctno", "acctnum", "acctnumber", "bankaccount", "bankaccountnumber",
        "iban", "cardnumber", "creditcard", "creditcardnumber", "debitcard", "pan", "routingnumber", "sortcode", "bban",
    ])
    static let emailKeys: Set<String> = Set(["email", "email_address", "mail", "user_email", "contact_email", "reviewer_email", "e-mail", "mail_to", "mailto"].map(normalize))
    /// Endings that make any key an address (`reviewerEmail`, `Reviewer-Email`, `cc_emails`, `billingEmailAddress`).
    static let emailSuffixes = ["email", "emails", "emailaddress", "emailaddresses", "emailaddr", "mailaddress"]

    /// Keys that hold a person by their role. Unlike a name key, such a key may also hold an id,
    /// an agent or a team, so its value is a person's name only when it looks like one
    /// ("author": "Sophie Martin", not "author": "agent:triage-bot"), and an object held there
    /// names the person under `name` ("reviewer": {"name": "Li Wei"}). A plural key holds a list.
    static let personRoleKeys: Set<String> = Self.normalized([
        "author", "owner", "assignee", "reviewer", "approver", "recipient", "sender", "customer", "contact", "patient",
        "employee", "applicant", "requester", "requestor", "submitter", "beneficiary", "user", "person", "member",
        "createdby", "updatedby", "modifiedby", "approvedby", "reviewedby", "requestedby", "submittedby", "assignedto",
        "reportedby", "signedby", "manager", "analyst", "operator", "attendee", "participant", "payer", "payee",
        "borrower", "guarantor", "witness", "signatory", "userinfo", "profile", "personaldetails", "personalinfo",
    ])

    static func isPersonRole(_ key: String) -> Bool {
        let k = normalize(key)
        return personRoleKeys.contains(k) || (k.hasSuffix("s") && personRoleKeys.contains(String(k.dropLast())))
    }

    /// The type a key gives its whole value, or nil for a neutral key. Inside an object held by
    /// a person-role key (`inPerson`), `name` names that person, when its value looks like a name.
    static func classify(_ key: String, value: JSONValue, inPerson: Bool) -> PIIType? {
        if let type = classify(key) { return type }
        if inPerson, normalize(key) == "name", case .string(let text) = value, PersonNameShape.matches(text) { return .personName }
        return nil
    }

    /// Substring search on UTF-8 bytes: Foundation's `String.contains` bridges to NSString and
    /// was an eighth of the time of a whole `pii scan`.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        TextDetectors.find(Array(needle.utf8), in: Array(haystack.utf8)) != nil
    }

    /// The type a key gives its whole value, or nil for a neutral key.
    static func classify(_ key: String) -> PIIType? {
        let k = normalize(key)
        if k.hasPrefix("xsensitive") || k == "sensitivedata" || k == "sensitivepayload" || k == "sensitivefields" { return .sensitive }
        if emailKeys.contains(k) || (emailSuffixes.contains(where: { k.hasSuffix($0) }) && !k.hasSuffix("verifiedemail")) { return .email }
        if accountKeys.contains(k) || k.hasSuffix("iban") || k.hasSuffix("accountnumber") || k.hasSuffix("cardnumber") { return .accountNumber }
        if nameKeys.contains(k) || nameParts.contains(where: { contains(k, $0) }) { return .personName }
        if secretKeys.contains(k) || secretSuffixes.contains(where: { k.hasSuffix($0) }) { return .token }
        if k.hasSuffix("token") && !tokenSuffixExclusions.contains(where: { contains(k, $0) }) { return .token }
        return nil
    }
}
