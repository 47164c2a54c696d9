//! Render profiles: the built-in `--proxy`, `[profile.NAME]` tables and an
//! EDL's own proxy profile.

use crate::common::*;

const EDL: &str = r#"[output]
path = "out.mp4"
width = 1280
height = 720
fps = 30
[[clip]]
source = "a.mp4"
in = 0.2
out = 1.5
transition = { kind = "crossfade", duration = 0.3 }
[[clip]]
source = "a.mp4"
in = 0.5
"#;

fn fixture(extra: &str) -> Fixture {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=320x180:r=25:d=2 -f lavfi -i sine=f=440:d=2 \
         -c:v libx264 -c:a aac -shortest a.mp4",
    );
    f.write("t.toml", &format!("{EDL}{extra}"));
    f
}

fn size(file: &std::path::Path) -> String {
    probe_stream(file, "v:0", "width,height")
}

#[test]
fn proxy_has_the_frame_timing_of_the_full_render_at_640_wide() {
    let f = fixture("");
    f.render("t.toml");
    f.reel_ok(&["render", "--quiet", "--proxy", "t.toml"]);
    let (full, proxy) = (f.path("out.mp4"), f.path("out.proxy.mp4"));
    assert_eq!(size(&proxy), "640,360");
    assert_eq!(size(&full), "1280,720", "the full render is left alone");
    // 39 + 45 - 9 frames, in both.
    for file in [&full, &proxy] {
        assert_eq!(probe_stream(file, "v:0", "nb_read_frames"), "75");
        assert_eq!(
            probe_stream(file, "a:0", "duration_ts"),
            (75 * 1600).to_string()
        );
    }
    // The proxy shows the same pictures: compare the brightness of every
    // frame's centre (scaled down, so only coarse agreement).
    let a: Vec<f64> = luma_frames(&full, 1280, 720)
        .iter()
        .map(|fr| centre_mean(fr, 1280, 720))
        .collect();
    let b: Vec<f64> = luma_frames(&proxy, 640, 360)
        .iter()
        .map(|fr| centre_mean(fr, 640, 360))
        .collect();
    for (k, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!((x - y).abs() < 4.0, "frame {k}: full {x:.1}, proxy {y:.1}");
    }
}

#[test]
fn audio_quality_and_encoder_options_reach_the_encoder() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=160x90:r=25:d=3 -f lavfi -i anoisesrc=d=3:c=pink:a=0.3 \
         -c:v libx264 -c:a aac -shortest a.mp4",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 160
            height = 90
            fps = 25
            [output.audio]
            bitrate = "256k"
            [profile.low]
            audio = {{ quality = 0.3, options = {{ aac_coder = "fast" }} }}
            [profile.high]
            audio = {{ quality = 2, options = {{ aac_coder = "fast", aac_pns = false }} }}
            [[clip]]
            source = "a.mp4"
            volume = 1.0
            "#
        ),
    );
    let bitrate = |profile: &str| -> f64 {
        f.reel_ok(&["render", "--quiet", "--profile", profile, "t.toml"]);
        let file = f.path(&format!("out.{profile}.mp4"));
        assert_eq!(
            probe_stream(&file, "a:0", "duration_ts"),
            (3 * 48000).to_string(),
            "every sample, whatever the rate control"
        );
        probe_stream(&file, "a:0", "bit_rate").parse().unwrap()
    };
    f.render("t.toml");
    let constant: f64 = probe_stream(&f.path("out.mp4"), "a:0", "bit_rate")
        .parse()
        .unwrap();
    let (low, high) = (bitrate("low"), bitrate("high"));
    // Pink noise takes all the bits it is given: the constant rate keeps
    // near 256 kb/s, and the variable one follows the quality asked for.
    assert!((constant - 256_000.0).abs() < 30_000.0, "{constant}");
    assert!(
        low < 0.6 * high,
        "quality 0.3: {low} b/s, quality 2: {high} b/s"
    );
}

#[test]
fn named_profiles_replace_output_keys() {
    let f = fixture(&edl!(
        r#"
        [profile.small]
        width = 320
        height = 180
        video = {{ crf = 30 }}
        [profile.proxy]
        width = 256
        height = 144
        path = "review.mp4"
        "#
    ));
    f.reel_ok(&["render", "--quiet", "--profile", "small", "t.toml"]);
    assert_eq!(size(&f.path("out.small.mp4")), "320,180");
    // The EDL's own proxy profile wins over the built-in one, path included.
    f.reel_ok(&["render", "--quiet", "--proxy", "t.toml"]);
    assert_eq!(size(&f.path("review.mp4")), "256,144");
    assert!(!f.path("out.mp4").exists());
    // An unknown profile is an EDL error that lists the known ones.
    let out = f.reel(&["check", "--profile", "nope", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no [profile.nope] in the EDL (it defines: proxy, small)"),
        "{err}"
    );
}

#[test]
fn a_range_render_has_the_full_render_frames_of_its_span() {
    // Lossless output, so the same frames decode to the same bytes.
    let f = fixture("");
    let edl = EDL.replace("fps = 30\n", "fps = 30\nfade_in = 0.5\n")
        + &edl!(
            r#"
            [output.video]
            crf = 0
            [ducking]
            "#
        );
    f.write("t.toml", &edl);
    f.render("t.toml");
    std::fs::rename(f.path("out.mp4"), f.path("full.mp4")).unwrap();
    // 0.8 s to 1.7 s: frames 24..51, across the crossfade (frames 30..39).
    f.reel_ok(&["render", "--quiet", "--range", "0.8-1.7", "t.toml"]);
    let full = luma_frames(&f.path("full.mp4"), 1280, 720);
    let part = luma_frames(&f.path("out.mp4"), 1280, 720);
    assert_eq!(part.len(), 27);
    for (j, frame) in part.iter().enumerate() {
        assert!(
            frame == &full[24 + j],
            "range frame {j} differs from full frame {}",
            24 + j
        );
    }
    assert_eq!(
        probe_stream(&f.path("out.mp4"), "a:0", "duration_ts"),
        (27 * 1600).to_string()
    );
    // A range outside the montage is a usage error.
    let out = f.reel(&["render", "--quiet", "--range", "1-9", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ends after the montage"));
}

/// Centre brightness of every frame of a 640x360 render.
fn centres(file: &std::path::Path) -> Vec<f64> {
    luma_frames(file, 640, 360)
        .iter()
        .map(|fr| centre_mean(fr, 640, 360))
        .collect()
}

#[test]
fn proxy_media_show_the_frames_the_sources_show() {
    let f = Fixture::new();
    // Each source frame has its own brightness (20 + 4 * (N mod 50)), so a
    // frame chosen one off shows as a step of 4.
    let numbered = |size: &str, name: &str| {
        f.ffmpeg(&format!(
            "-f lavfi -i {} -c:v libx264 -qp 0 -g 50 -bf 2 {name}",
            frames_mod_50(size, 8)
        ))
    };
    numbered("1280x720", "big.mp4");
    numbered("64x64", "small.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 1280
            height = 720
            fps = 30
            [[clip]]
            source = "big.mp4"
            in = 0.51
            out = 3.51
            transition = {{ kind = "crossfade", duration = 0.5 }}
            [[clip]]
            source = "big.mp4"
            in = 2.03
            out = 5.03
            [[clip]]
            source = "small.mp4"
            in = 1
            out = 2
            "#
        ),
    );
    let run = |args: &[&str]| f.reel_ok(args);
    // From the sources.
    let text = run(&["render", "--proxy", "-o", "from_sources.mp4", "t.toml"]);
    assert!(!text.contains("proxy media"), "{text}");
    let want = centres(&f.path("from_sources.mp4"));
    assert_eq!(want.len(), 90 + 90 - 15 + 30);

    // Proxies are made for the large source only, then used.
    let text = run(&["proxies", "t.toml"]);
    assert!(text.contains("proxies: 1 made, 0 already"), "{text}");
    let text = run(&["proxies", "t.toml"]);
    assert!(text.contains("proxies: 0 made, 1 already"), "{text}");
    let proxies: Vec<_> = std::fs::read_dir(f.path(".reel-cache/proxies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(proxies.len(), 1);
    assert_eq!(probe_stream(&proxies[0], "v:0", "width,height"), "640,360");
    let text = run(&["render", "--proxy", "t.toml"]);
    assert!(text.contains("2 of 3 clips read proxy media"), "{text}");
    let got = centres(&f.path("out.proxy.mp4"));
    assert_eq!(got.len(), want.len(), "same frame count");
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() < 1.5,
            "frame {k}: {g:.1} from proxy media, {w:.1} from the source"
        );
    }

    // --make-proxies makes them when missing; a full render never uses them.
    std::fs::remove_file(&proxies[0]).unwrap();
    let text = run(&["render", "--proxy", "--make-proxies", "t.toml"]);
    assert!(text.contains("proxies: 1 made"), "{text}");
    assert!(text.contains("2 of 3 clips read proxy media"), "{text}");
    let text = run(&["render", "t.toml"]);
    assert!(!text.contains("proxy media"), "{text}");
}

/// The encoded audio's packets, as bytes.
fn audio_bytes(file: &std::path::Path) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:a", "-c", "copy", "-f", "data", "-"])
        .output()
        .unwrap();
    assert_success(
        &out,
        &format!("ffmpeg copying the audio of {}", file.display()),
    );
    out.stdout
}

#[test]
fn proxy_media_carry_the_sound_so_a_proxy_render_reads_no_original() {
    // A source larger than a proxy, with a 5.1 track at 44.1 kHz, and a
    // second source used for its sound only (music).
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=1280x720:r=25:d=3 -f lavfi -i sine=f=440:d=3:sample_rate=44100 \
         -ac 6 -c:v libx264 -c:a aac -shortest big.mp4",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 1280
            height = 720
            fps = 25
            [[clip]]
            source = "big.mp4"
            in = 0.2
            out = 1.6
            transition = {{ kind = "crossfade", duration = 0.4 }}
            [[clip]]
            source = "big.mp4"
            in = 1.0
            [[music]]
            source = "big.mp4"
            volume = 0.2
            "#
        ),
    );
    let out = f.reel_ok_output(&["render", "--proxy", "--make-proxies", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // Both clips' pictures, both clips' sounds and the music.
    assert!(
        err.contains("2 of 2 clips read proxy media, and 3 of 3 sounds"),
        "{err}"
    );
    // The proxy carries the source's sound as it was: the mix, and so the
    // encoded audio, is the same as from the original.
    // The same render from the originals (no proxy media in this cache).
    f.render_args(&["--proxy", "-o", "full.mp4"]);
    let proxy = audio_bytes(&f.path("out.proxy.mp4"));
    assert!(!proxy.is_empty());
    assert!(
        proxy == audio_bytes(&f.path("full.mp4")),
        "the proxy's sound differs from the original's"
    );
}
