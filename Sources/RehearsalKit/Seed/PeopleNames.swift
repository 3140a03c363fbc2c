/// Realistic, clearly fictional people for seeded users (names and emails are the PII the
/// scanner must never let through, so seeded data needs plenty of them).
enum PeopleNames {
    static let first = [
        "Amara", "Bjorn", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiroshi", "Ines", "Jonas",
        "Kavya", "Lars", "Mei", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tariq",
        "Uma", "Viktor", "Wanjiru", "Xavier", "Yara", "Zoltan", "Aoife", "Bongani", "Camille", "Dario",
    ]
    static let last = [
        "Okafor", "Lindqvist", "Ferraro", "Volkov", "Yilmaz", "Haddad", "Brandt", "Tanaka", "Moreau", "Becker",
        "Iyer", "Nilsen", "Chen", "Petrov", "Novak", "Alves", "Byrne", "Ortega", "Dahl", "Rahman",
        "Mensah", "Horvath", "Kamau", "Dubois", "Costa", "Kovacs", "Murphy", "Dlamini", "Laurent", "Russo",
    ]
    static let domains = ["example.com", "example.org", "example.net"]

    static func person(_ index: Int, _ generator: inout SeededGenerator) -> (displayName: String, email: String) {
        let first = first[generator.below(first.count)]
        let last = last[generator.below(last.count)]
        let domain = domains[generator.below(domains.count)]
        return ("\(first) \(last)", "\(first.lowercased()).\(last.lowercased()).\(index)@\(domain)")
    }
}
