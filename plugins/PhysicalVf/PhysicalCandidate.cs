using Shim.Abstractions;

namespace Kataplug.Plugins.PhysicalVf;

/// <summary>What discovery learned about one interface; <see cref="Problem"/> makes planning fail with that message.</summary>
internal sealed record PhysicalCandidate(LinkInfo Link, string Bdf, PciFunctionInfo? Function, string Source, string? Problem, string? ProblemKey);
