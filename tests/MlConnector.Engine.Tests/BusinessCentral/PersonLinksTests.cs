using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>The packed person links give back exactly what was kept, across many blocks, replaced and taken.</summary>
public sealed class PersonLinksTests
{
    [Fact]
    public void Each_link_reads_back_as_kept_across_blocks_and_with_non_ascii_names()
    {
        var links = new PersonLinks();
        var ids = Enumerable.Range(0, 5000).Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < ids.Length; i++) links.Set(ids[i], $"C{i:00000}", i % 7 == 0 ? "Zoë" : $"First{i}", i % 5 == 0 ? "" : $"Müller-{i}");

        Assert.Equal(ids.Length, links.Count);
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(links.TryGet(ids[i], out var person));
            Assert.Equal(new PersonLink($"C{i:00000}", i % 7 == 0 ? "Zoë" : $"First{i}", i % 5 == 0 ? "" : $"Müller-{i}"), person);
        }
        Assert.False(links.TryGet(Guid.NewGuid(), out _));
    }

    [Fact]
    public void A_link_set_again_replaces_the_first_and_a_taken_link_is_gone()
    {
        var links = new PersonLinks();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        links.Set(a, "C1", "Ann", "Lee");
        links.Set(b, "C2", "Bo", "Chan");
        links.Set(a, "C3", "Anne", "Leigh");

        Assert.Equal(2, links.Count);
        Assert.True(links.TryTake(a, out var taken));
        Assert.Equal(("C3", "Anne", "Leigh"), (taken.CustomerNumber, taken.First, taken.Last));
        Assert.False(links.TryGet(a, out _));
        Assert.False(links.TryTake(a, out _));
        Assert.True(links.TryTake(b, out var last));
        Assert.Equal("Chan", last.Last);
        Assert.Equal(0, links.Count);

        // Emptied, the table still takes new links.
        links.Set(a, "C4", "Al", "Ng");
        Assert.True(links.TryGet(a, out var again));
        Assert.Equal(("C4", "Al", "Ng"), (again.CustomerNumber, again.First, again.Last));
    }
}
