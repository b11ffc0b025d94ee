namespace OrleansTok.Model;

/// <summary>
/// A dependency OrleansTok needs to keep its promises (the journal's database) is unavailable:
/// nothing was acknowledged or changed, and the same request may be retried shortly.
/// </summary>
[GenerateSerializer, Alias("ot.ServiceUnavailableException")]
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException() { }

    public ServiceUnavailableException(string message) : base(message) { }

    public ServiceUnavailableException(string message, Exception inner) : base(message, inner) { }
}
