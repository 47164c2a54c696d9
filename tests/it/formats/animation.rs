//! Animated overlays (a video, an animated GIF) play in time from the
//! layer's first frame, across segments, and hold their last picture.

use crate::common::*;

/// Three 3 s black clips (three segments) at 25 fps under `overlay`.
fn timeline(f: &Fixture, overlay: &str) {
    f.ffmpeg("-f lavfi -i color=c=black:s=64x64:r=25:d=3 -c:v libx264 black.mp4");
    let mut text = lossless_output(64, 64, "25");
    for _ in 0..3 {
        text.push_str("\n[[clip]]\nsource = \"black.mp4\"\nduration = 3\n");
    }
    text.push_str(overlay);
    f.write("t.toml", &text);
}

#[test]
fn a_video_overlay_plays_frame_by_frame_across_segments() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "-f lavfi -i {} -c:v libx264 -qp 0 counter.mp4",
        frames_mod_50("64x64", 8)
    ));
    timeline(
        &f,
        "\n[[overlay]]\nsource = \"counter.mp4\"\nat = 0.4\nwidth = 1.0\nalign = \"center\"\nmargin = 0\n",
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(frames.len(), 225);
    // From frame 10 (0.4 s) the overlay's frame k - 10 shows: through the
    // joins at 75 and 150 (the last segment's reader seeks into the
    // source), and its last picture (199) held after its end at 8.4 s.
    for (k, frame) in frames.iter().enumerate().skip(10) {
        let shown = frame_mod_50(centre_mean(frame, 64, 64));
        let want = (k as i64 - 10).min(199) % 50;
        assert_eq!(shown, want, "output frame {k}");
    }
}

#[test]
fn an_animated_gif_overlay_plays() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "-f lavfi -i {} -vf fps=5 counter.gif",
        frames_mod_50("64x64", 2)
    ));
    timeline(
        &f,
        "\n[[overlay]]\nsource = \"counter.gif\"\nwidth = 1.0\nalign = \"center\"\nmargin = 0\n",
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    let shown: Vec<i64> = frames
        .iter()
        .map(|fr| frame_mod_50(centre_mean(fr, 64, 64)))
        .collect();
    // A 5 fps GIF: each picture shows for 5 output frames, and they
    // advance (a GIF's palette keeps the counter within a step).
    let firsts: Vec<i64> = (0..10).map(|i| shown[i * 5 + 2]).collect();
    assert!(
        firsts.windows(2).all(|w| w[1] > w[0]),
        "pictures do not advance: {firsts:?}"
    );
    assert_eq!(shown[0], shown[4]);
}
