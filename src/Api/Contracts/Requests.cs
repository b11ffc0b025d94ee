namespace OrleansTok.Api.Contracts;

// Request bodies bind to nullable members so that a missing field is reported by name
// (400 problem details) rather than silently defaulted.

public sealed record CreateUserRequest(string? Id, string? Language, string? Country, string? DeviceType, string[]? Interests);

public sealed record UploadVideoRequest(string? Id, string? CreatorId, string? Caption, string[]? Hashtags, string? SoundId, string? Language, int? DurationMs);

public sealed record SetStatusRequest(string? Status);

public sealed record InteractionsRequest(InteractionDto?[]? Events);

public sealed record InteractionDto(string? EventId, string? VideoId, string? Type, int? WatchMs, string? FeedRequestId, DateTimeOffset? At);
