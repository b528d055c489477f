const t=performance.now(); let x=0; for(let i=0;i<3e8;i++){x+=i%7} console.log((performance.now()-t).toFixed(0), x>0);
