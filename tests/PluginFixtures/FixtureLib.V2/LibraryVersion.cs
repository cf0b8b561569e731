namespace FixtureLib;

/// <summary>Which build of the fixture library is loaded.</summary>
public static class LibraryVersion
{
    public static string Text => "2";
}
