namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// The name breakdown table 5050 Contact runs when a person's Name is validated (procedure NameBreakdown in
/// microsoft/BCApps Contact.Table.al): the name is split on spaces (empty parts dropped); with two parts or more the
/// last is the Surname, with three or more the one before it is the Middle Name, and the rest make the First Name.
/// Each part is cut to its field length (30). Company contacts keep all three blank.
/// </summary>
public static class BcNames
{
    private const int PartLength = 30;

    public static (string First, string Middle, string Surname) Breakdown(string name)
    {
        var parts = new List<string>();
        var rest = name;
        int space;
        while ((space = rest.IndexOf(' ', StringComparison.Ordinal)) >= 0)
        {
            if (space > 0) parts.Add(rest[..space]);
            rest = rest[(space + 1)..];
        }
        parts.Add(rest);

        string first = "", middle = "", surname = "";
        for (var i = 0; i < parts.Count; i++)
        {
            if (i == parts.Count - 1 && parts.Count > 1) surname = Cut(parts[i]);
            else if (i == parts.Count - 2 && parts.Count > 2) middle = Cut(parts[i]);
            else first = Cut((first + " " + parts[i]).TrimStart(' '));
        }
        return (first, middle, surname);
    }

    private static string Cut(string value) => value.Length <= PartLength ? value : value[..PartLength];
}
