#!/usr/bin/env python3
"""Ten synthetic 5-minute backgrounds for the game day, written in the NAB layout
(`OUT/realAWSCloudwatch/*.csv` and an `OUT/combined_windows.json` with no windows), so that
`examples/gameday.rs` plays its drills on shapes nobody designed the detectors around:

    python3 tools/gameday/synthetic_backgrounds.py /tmp/synth
    cargo run --release -p sre-examples --example gameday -- /tmp/synth 6 --notes

Two weeks each: a daily sine with Gaussian noise, log-normal noise, a weekly cycle with quiet
weekends, level steps (a deploy now and then scales the load by 0.6-1.6x), rare Pareto bursts,
a nearly flat line, a mean-reverting random walk, a batch host idle but for three hours a day,
small Poisson counts, and a nightly batch ramp. Fixed seed: the same files on every machine.
Written once, before any run, and not changed after seeing a result.
"""
import os, sys
import random, math, json, datetime
out = sys.argv[1] if len(sys.argv) > 1 else 'synthetic-backgrounds'
os.makedirs(os.path.join(out, 'realAWSCloudwatch'), exist_ok=True)
random.seed(20261206)
N = 14*288
t0 = datetime.datetime(2025,3,3,0,0)
def day(i): return (i%288)/288.0
def dow(i): return (i//288)%7
shapes = {}
shapes['sine_gauss'] = [100+40*math.sin(2*math.pi*day(i))+random.gauss(0,8) for i in range(N)]
shapes['lognormal'] = [50*math.exp(random.gauss(0,0.6)) for i in range(N)]
shapes['weekly'] = [(30 if dow(i)>=5 else 100)*(1+0.5*math.sin(2*math.pi*day(i)))+random.gauss(0,5) for i in range(N)]
lvl=100; steps=[]
for i in range(N):
    if random.random()<1/600: lvl*=random.choice([0.6,0.8,1.25,1.6])
    steps.append(lvl+random.gauss(0,lvl*0.05))
shapes['level_steps'] = steps
shapes['pareto_bursts'] = [20+ (random.paretovariate(1.5)*10 if random.random()<0.05 else 0) + random.gauss(0,2) for i in range(N)]
shapes['flat_tiny'] = [42+random.gauss(0,0.05) for i in range(N)]
w=100; rw=[]
for i in range(N):
    w += random.gauss(0,2) + 0.01*(100-w); rw.append(max(w,1))
shapes['random_walk'] = rw
shapes['idle_batch'] = [ (500+random.gauss(0,50) if (i%288) in range(24,60) else random.expovariate(1/2)) for i in range(N)]
shapes['poisson_small'] = [float(sum(1 for _ in range(20) if random.random()<0.15)) for i in range(N)]
shapes['ramp_daily_batch'] = [ (10+ 80*((i%288)-200)/88 if (i%288)>=200 else 10) + random.gauss(0,2) for i in range(N)]
windows={}
for name, vals in shapes.items():
    key=f'realAWSCloudwatch/{name}.csv'
    with open(os.path.join(out, key),'w') as f:
        f.write('timestamp,value\n')
        for i,v in enumerate(vals):
            f.write(f'{(t0+datetime.timedelta(minutes=5*i)).strftime("%Y-%m-%d %H:%M:%S")},{max(v,0):.4f}\n')
    windows[key]=[]
json.dump(windows, open(os.path.join(out, 'combined_windows.json'),'w'), indent=1)
print(f'{len(shapes)} backgrounds written to {out}')
