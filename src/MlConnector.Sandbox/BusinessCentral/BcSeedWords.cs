namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>Word lists for the seeded data, grouped by script so names, companies and cities stay plausible together.</summary>
internal static class BcSeedWords
{
    public sealed record Script(string[] FirstNames, string[] LastNames, string[] CompanyWords, string[] CompanySuffixes, bool Latin);

    public static readonly Script English = new(
        ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Susan", "Chloë", "Zoë", "Seán", "Renée"],
        ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "O'Brien", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "MacDonald", "Van der Berg"],
        ["Adatum", "Trey", "Fabrikam", "Northwind", "Contoso", "Litware", "Proseware", "Wingtip", "Alpine", "Coho", "Lucerne", "Tailspin", "Woodgrove", "Relecloud", "Blue Yonder", "Humongous"],
        ["Corporation", "Inc.", "Ltd", "LLC", "Group", "Partners", "Industries", "& Co.", "Supplies", "Trading"], true);

    public static readonly Script European = new(
        ["José", "Łukasz", "Søren", "François", "Jürgen", "Ángela", "Małgorzata", "Björn", "Élodie", "Dvořák", "İlkay", "Ørjan"],
        ["García-Márquez", "Müller", "Nørgaard", "Kowalczyk", "Lefèvre", "Šimůnek", "Ødegård", "Straße", "Ñúñez", "Þórsson", "Çelik", "Đorđević"],
        ["Müller & Söhne", "Société Générale du Café", "Øresund Logistik", "Łódź Przemysł", "Café Crème", "Fjällräven Handel", "Brücken", "Ñandú Exportación"],
        ["GmbH", "S.A.", "A/S", "Sp. z o.o.", "SARL", "AB", "S.L.", "AG"], true);

    public static readonly Script Arabic = new(
        ["محمد", "فاطمة", "أحمد", "ليلى", "يوسف", "مريم", "عمر", "نور"],
        ["العلي", "الحسن", "المصري", "الخطيب", "النجار", "الشامي"],
        ["شركة النور", "مؤسسة الأمل", "دار السلام", "مجموعة الفجر", "شركة الرواد"],
        ["للتجارة", "للصناعات", "القابضة", "المحدودة"], false);

    public static readonly Script Hebrew = new(
        ["יעל", "דוד", "נועה", "משה", "מיכל", "אורי", "תמר", "יוסף"],
        ["כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם"],
        ["חברת אור", "מערכות גליל", "תעשיות הנגב", "סחר ירושלים"],
        ["בע״מ", "ושות׳", "בע\"מ"], false);

    public static readonly Script EastAsian = new(
        ["美咲", "翔太", "陽菜", "伟", "芳", "민준", "서연", "Hiroshi"],
        ["佐藤", "鈴木", "王", "李", "김", "박", "Tanaka"],
        ["北京科技", "東京電機", "서울무역", "上海贸易", "大阪精密"],
        ["有限公司", "株式会社", "주식회사", "集团"], false);

    public static readonly string[] JobTitles =
        ["Purchasing Manager", "CFO", "Accounts Payable", "Owner", "Marketing Director", "Sales Assistant", "IT Manager", "Office Manager", "", "",
         "Chief Procurement Officer EMEA"];

    public static readonly (string City, string State, string Country, string Postal, string Phone)[] UsCities =
        [("Atlanta", "GA", "US", "31772", "+1 404 555 0100"), ("Chicago", "IL", "US", "61236", "+1 312 555 0101"), ("Miami", "FL", "US", "37125", "+1 305 555 0102"),
         ("Seattle", "WA", "US", "98101", "+1 206 555 0103"), ("Boston", "MA", "US", "02108", "(617) 555-0104")];

    public static readonly Dictionary<string, (string City, string State, string Country, string Postal, string Phone)[]> CitiesByCurrency = new()
    {
        ["EUR"] = [("München", "BY", "DE", "80331", "+49 89 555 010"), ("Paris", "", "FR", "75001", "+33 1 55 50 01 00"), ("Düsseldorf", "NW", "DE", "40213", "+49 211 555 01")],
        ["GBP"] = [("London", "", "GB", "EC1A 1BB", "+44 20 7946 0000"), ("Manchester", "", "GB", "M1 1AE", "+44 161 496 0000")],
        ["CAD"] = [("Montréal", "QC", "CA", "H2Y 1C6", "+1 514 555 0199"), ("Toronto", "ON", "CA", "M5H 2N2", "+1 416 555 0198")],
        ["DKK"] = [("København", "", "DK", "1050", "+45 33 12 34 56"), ("Århus", "", "DK", "8000", "+45 86 12 34 56")],
        ["JPY"] = [("東京", "", "JP", "100-0001", "+81 3-1234-5678"), ("Osaka", "", "JP", "530-0001", "+81 6-1234-5678")],
    };

    public static readonly string[] Streets = ["Main Street", "Hauptstraße", "Rue de la Paix", "Strøget", "Oak Avenue", "Elm Road", "Königsallee", "Baker Street"];
}
