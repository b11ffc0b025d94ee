using System.Numerics;
using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

public sealed partial class CatalogIndex
{
    /// <summary>
    /// The k best-scored videos offered so far: a binary min-heap of (score, handle) pairs, where a
    /// handle indexes the videos accepted so far. The heap's values hold no reference, so sifting
    /// them needs no GC write barrier; the PriorityQueue of (video, score) it replaced paid one per
    /// element moved, and a similarity query (k = 80 of 10,000 videos) accepts ~470 offers. Side by
    /// side (bench/OrleansTok.Bench.Retrieval, 10,000 videos, four alternating runs of three rounds)
    /// the similar source's median fell 192 → 162 µs a query.
    /// </summary>
    private sealed class TopK
    {
        private readonly int _k;
        private readonly Entry[] _heap;
        private IndexedVideo[] _accepted;
        private IndexedVideo[]? _spare;
        private int _count;
        private int _acceptedCount;

        public TopK(int k)
        {
            _k = Math.Max(0, k);
            _heap = new Entry[_k];
            _accepted = new IndexedVideo[Math.Max(1, 2 * _k)];
        }

        public int Count => _count;

        public int Capacity => _k;

        /// <summary>Whether a video with this score would enter the top k (checked before the costlier eligibility test).</summary>
        public bool WouldAccept(float score) => float.IsFinite(score) && score > Bar;

        /// <summary>What a score must beat to enter: the k-th best so far once there are k (nothing enters a top 0).</summary>
        private float Bar => _count < _k ? float.NegativeInfinity : _k == 0 ? float.PositiveInfinity : _heap[0].Score;

        /// <summary>
        /// Offers <c>videos[i]</c> at <c>scores[i]</c> for every i, eligible ones only. Most scores of a
        /// partition fall below the k-th best so far: whole vectors of them are passed over with one
        /// comparison, which took the scan from ~4 ns a video (a heap peek each) to well under 1.
        /// </summary>
        /// <remarks>
        /// The scores are the quantized scan's (<see cref="QuantizedRows"/>) and the heap keeps them as
        /// they are: re-scoring every video that passed cost more than the scan when thousands of a
        /// topic lie within the scan's error of each other. <see cref="Rescore"/> then gives the k kept
        /// their exact scores, so the k and their order are the exact ones up to videos whose scores lie
        /// within twice the scan's error of the k-th.
        /// </remarks>
        /// <param name="floor">Only scores above it are offered (the sampled floor, or -∞).</param>
        /// <param name="ceiling">Only scores up to it are offered: a second pass under a floor offers what the first did not (the floor's own row included).</param>
        public void OfferAbove(ReadOnlySpan<float> scores, ReadOnlySpan<IndexedVideo> videos, ReadOnlySpan<ulong> fingerprints, in Eligibility eligible,
            float floor = float.NegativeInfinity, float ceiling = float.PositiveInfinity)
        {
            var lanes = Vector<float>.Count;
            var bar = MathF.Max(floor, Bar);
            var i = 0;
            for (; i <= scores.Length - lanes; i += lanes)
            {
                if (!Vector.GreaterThanAny(new Vector<float>(scores.Slice(i, lanes)), new Vector<float>(bar))) continue;
                for (var j = i; j < i + lanes; j++) OfferOne(scores[j], videos, fingerprints[j], j, eligible, floor, ceiling, ref bar);
            }
            for (; i < scores.Length; i++) OfferOne(scores[i], videos, fingerprints[i], i, eligible, floor, ceiling, ref bar);
        }

        private void OfferOne(float approximate, ReadOnlySpan<IndexedVideo> videos, ulong fingerprint, int slot, in Eligibility eligible, float floor, float ceiling, ref float bar)
        {
            // NaN fails the comparisons. The video object is only read once its fingerprint passed.
            if (!(approximate > bar) || !(approximate <= ceiling) || eligible.Seen(fingerprint)) return;
            var video = videos[slot];
            if (!eligible.AllowsUnseen(video)) return;
            Offer(video, approximate);
            bar = MathF.Max(floor, Bar);
        }

        /// <summary>
        /// A score about 2k of <paramref name="scores"/> lie above: the (k/4)-th best of every eighth
        /// one. -∞ when there are too few scores for a sample to say much (under 32k) or k is large.
        /// </summary>
        public static float SampledFloor(ReadOnlySpan<float> scores, int k)
        {
            const int Stride = 8;
            var rank = (2 * k + Stride - 1) / Stride;
            if (k < 1 || rank > 256 || scores.Length < 32 * k) return float.NegativeInfinity;
            Span<float> best = stackalloc float[rank]; // a min-heap of the sample's best
            var count = 0;
            for (var i = 0; i < scores.Length; i += Stride)
            {
                var score = scores[i];
                if (!float.IsFinite(score)) continue;
                if (count < rank)
                {
                    var c = count++;
                    while (c > 0 && best[(c - 1) >> 1] > score) { best[c] = best[(c - 1) >> 1]; c = (c - 1) >> 1; }
                    best[c] = score;
                }
                else if (score > best[0])
                {
                    var c = 0;
                    while (true)
                    {
                        var child = 2 * c + 1;
                        if (child >= rank) break;
                        if (child + 1 < rank && best[child + 1] < best[child]) child++;
                        if (score <= best[child]) break;
                        best[c] = best[child];
                        c = child;
                    }
                    best[c] = score;
                }
            }
            return count < rank ? float.NegativeInfinity : best[0];
        }

        public void Offer(IndexedVideo video, float score)
        {
            if (!float.IsFinite(score) || !(score > Bar)) return;
            if (_count < _k)
            {
                _heap[_count] = new Entry(score, Accept(video));
                SiftUp(_count++);
            }
            else
            {
                _heap[0] = new Entry(score, Accept(video));
                SiftDown(0);
            }
        }

        /// <summary>Replaces every kept score by the exact dot product with <paramref name="query"/>.</summary>
        public void Rescore(ReadOnlySpan<float> query)
        {
            for (var i = 0; i < _count; i++) _heap[i].Score = VectorMath.Dot(query, _accepted[_heap[i].Handle].Entry.Embedding);
            for (var i = _count / 2 - 1; i >= 0; i--) SiftDown(i);
        }

        /// <summary>The kept videos, best first; the heap is empty afterwards.</summary>
        public List<IndexedVideo> Sorted()
        {
            var list = new List<IndexedVideo>(_count);
            foreach (var entry in TakeBestFirst()) list.Add(_accepted[entry.Handle]);
            return list;
        }

        /// <summary>Appends the kept videos to <paramref name="into"/> as candidates, best first; the heap is empty afterwards.</summary>
        public void Drain(List<Candidate> into, string source, RetrievalQuery query, double toNow)
        {
            foreach (var entry in TakeBestFirst()) into.Add(ToCandidate(_accepted[entry.Handle], source, entry.Score, query, toNow));
        }

        private ReadOnlySpan<Entry> TakeBestFirst()
        {
            var kept = _heap.AsSpan(0, _count);
            kept.Sort(static (a, b) => b.Score.CompareTo(a.Score));
            _count = 0;
            return kept;
        }

        /// <summary>
        /// Stores an accepted video and returns its handle. When the store is full the k videos still
        /// kept move to the front of a second store (the rest were pushed out), so it never grows past
        /// 2k and each accepted video costs one move at most.
        /// </summary>
        private int Accept(IndexedVideo video)
        {
            if (_acceptedCount == _accepted.Length)
            {
                var target = _spare ?? new IndexedVideo[_accepted.Length];
                for (var i = 0; i < _count; i++)
                {
                    target[i] = _accepted[_heap[i].Handle];
                    _heap[i].Handle = i;
                }
                _spare = _accepted;
                _accepted = target;
                _acceptedCount = _count;
            }
            _accepted[_acceptedCount] = video;
            return _acceptedCount++;
        }

        private void SiftUp(int i)
        {
            var entry = _heap[i];
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (_heap[parent].Score <= entry.Score) break;
                _heap[i] = _heap[parent];
                i = parent;
            }
            _heap[i] = entry;
        }

        private void SiftDown(int i)
        {
            var entry = _heap[i];
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= _count) break;
                if (child + 1 < _count && _heap[child + 1].Score < _heap[child].Score) child++;
                if (entry.Score <= _heap[child].Score) break;
                _heap[i] = _heap[child];
                i = child;
            }
            _heap[i] = entry;
        }

        private struct Entry(float score, int handle)
        {
            public float Score = score;
            public int Handle = handle;
        }
    }
}
