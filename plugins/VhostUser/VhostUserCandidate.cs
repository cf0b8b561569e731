using Shim.Abstractions;

namespace Kataplug.Plugins.VhostUser;

/// <summary>A declaration with the pod-netns link of the same name (null when there is none); <see cref="Problem"/> fails planning.</summary>
internal sealed record VhostUserCandidate(VhostUserDeclaration Declaration, LinkInfo? Link, string? Problem);
